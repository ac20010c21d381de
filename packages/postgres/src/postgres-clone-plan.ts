import type { AlternateUserChange, AlternateUserOutcome } from '@rotor/rotation-core';
import type { RoleInspection } from './postgres-roles';
import {
  allowLoginStatement,
  alterRolePasswordStatement,
  createLoginRoleStatement,
  grantMembershipStatement,
  roleSettingEntry,
  setRoleStatement,
} from './postgres-sql';

/** The statements of one upsert of the clone, sent together, and what they do for the log. */
export interface CloneUpsertPlan extends AlternateUserOutcome {
  readonly statements: readonly string[];
}

/**
 * What upsertAlternateUser sends, decided from the roles as read (pure). `secretFor` turns a
 * password into what goes between the quotes of PASSWORD for that role (a verifier). The original
 * role must exist (the caller checks). The statements are sent as one simple query, which the
 * server runs as one transaction: all of them or none.
 */
export function cloneUpsertPlan(
  inspection: RoleInspection,
  change: AlternateUserChange,
  secretFor: (password: string, role: string) => string,
): CloneUpsertPlan {
  const { originalUsername: original, cloneUsername: clone, username } = change;
  const { versionNum } = inspection.facts;
  const secret = secretFor(change.newPassword, username);
  const cloneRole = inspection.cloneRole;

  if (!cloneRole) {
    // Normally the clone is what this rotation sets. If the clone is AWSCURRENT yet gone (dropped
    // after the current-login check), it comes back with its current password so it keeps working.
    const clonePassword = username === clone ? secret : secretFor(change.currentPassword, clone);
    return {
      created: true,
      statements: [
        createLoginRoleStatement(clone, clonePassword),
        ...(username !== clone ? [alterRolePasswordStatement(username, secret)] : []),
        // Membership carries every privilege of the original, including grants made after today:
        // nothing has to be copied at each rotation.
        grantMembershipStatement(original, clone, versionNum),
        // Every session of the clone runs as the original role, so the objects it creates belong
        // to the original (AWS template issues 56 and 175) and the application sees one owner
        // whichever of the two users holds AWSCURRENT.
        setRoleStatement(clone, original),
      ],
      privilegeChanges: [`granted membership in ${original}`, `sessions run as ${original}`],
    };
  }

  // Re-assert the clone's set-up each rotation: idempotent, and it repairs a clone made by an AWS
  // template (membership only, objects owned by the clone) or changed by hand.
  const statements = [alterRolePasswordStatement(username, secret)];
  const privilegeChanges: string[] = [];
  if (!cloneRole.login) {
    statements.push(allowLoginStatement(clone));
    privilegeChanges.push('allowed login');
  }
  if (!membershipIsComplete(inspection, original)) {
    statements.push(grantMembershipStatement(original, clone, versionNum));
    privilegeChanges.push(`granted membership in ${original}`);
  }
  if (!inspection.cloneSettings.includes(roleSettingEntry(original))) {
    statements.push(setRoleStatement(clone, original));
    privilegeChanges.push(`sessions run as ${original}`);
  }
  return { created: false, statements, privilegeChanges };
}

/** Direct membership of the clone in `group`, with INHERIT and SET where the server has those options. */
function membershipIsComplete(inspection: RoleInspection, group: string): boolean {
  const withOptions = inspection.facts.versionNum >= 160000;
  return inspection.cloneMemberships.some(
    (m) => m.group === group && (!withOptions || (m.inherit_option === true && m.set_option === true)),
  );
}
