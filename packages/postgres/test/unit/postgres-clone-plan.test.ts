import type { AlternateUserChange } from '@rotor/rotation-core';
import { cloneUpsertPlan } from '../../src/postgres-clone-plan';
import { privilegeEscalationsIn } from '../../src/postgres-privileges';
import type { RoleAttributes, RoleInspection } from '../../src/postgres-roles';

const role = (name: string, overrides: Partial<RoleAttributes> = {}): RoleAttributes => ({
  name,
  super: false,
  createrole: false,
  bypassrls: false,
  replication: false,
  createdb: false,
  login: true,
  ...overrides,
});

const inspection = (overrides: Partial<RoleInspection> = {}): RoleInspection => ({
  original: 'app',
  clone: 'app_clone',
  facts: { versionNum: 170006, passwordEncryption: 'scram-sha-256', scramIterations: 4096 },
  originalRole: role('app'),
  cloneRole: role('app_clone'),
  cloneMemberships: [{ group: 'app', admin_option: false, inherit_option: true, set_option: true }],
  cloneSettings: ['role=app'],
  ...overrides,
});

const change = (username: string): AlternateUserChange => ({
  username,
  newPassword: 'new-pw',
  originalUsername: 'app',
  cloneUsername: 'app_clone',
  currentUsername: username === 'app' ? 'app_clone' : 'app',
  currentPassword: 'current-pw',
  secret: {} as never,
});

/** Stands in for the verifier: names what would be hashed, for which role. */
const secretFor = (password: string, role: string) => `verifier(${password},${role})`;

describe('cloneUpsertPlan', () => {
  it('sets only the password of a clone already set up', () => {
    const plan = cloneUpsertPlan(inspection(), change('app_clone'), secretFor);
    expect(plan).toEqual({
      created: false,
      statements: [`ALTER ROLE "app_clone" WITH PASSWORD 'verifier(new-pw,app_clone)'`],
      privilegeChanges: [],
    });
  });

  it('creates a missing clone with membership and the role setting', () => {
    const plan = cloneUpsertPlan(
      inspection({ cloneRole: undefined, cloneMemberships: [], cloneSettings: [] }),
      change('app_clone'),
      secretFor,
    );
    expect(plan.created).toBe(true);
    expect(plan.statements).toEqual([
      `CREATE ROLE "app_clone" WITH LOGIN PASSWORD 'verifier(new-pw,app_clone)'`,
      'GRANT "app" TO "app_clone" WITH INHERIT TRUE, SET TRUE',
      `ALTER ROLE "app_clone" SET role = 'app'`,
    ]);
  });

  it('recreates a vanished clone that held AWSCURRENT with its current password', () => {
    const plan = cloneUpsertPlan(inspection({ cloneRole: undefined }), change('app'), secretFor);
    expect(plan.statements.slice(0, 2)).toEqual([
      `CREATE ROLE "app_clone" WITH LOGIN PASSWORD 'verifier(current-pw,app_clone)'`,
      `ALTER ROLE "app" WITH PASSWORD 'verifier(new-pw,app)'`,
    ]);
  });

  it('repairs a clone made by the AWS template: login, options of the membership, role setting', () => {
    const plan = cloneUpsertPlan(
      inspection({
        cloneRole: role('app_clone', { login: false }),
        cloneMemberships: [{ group: 'app', admin_option: false, inherit_option: true, set_option: false }],
        cloneSettings: ['search_path=public'],
      }),
      change('app_clone'),
      secretFor,
    );
    expect(plan.statements.slice(1)).toEqual([
      'ALTER ROLE "app_clone" WITH LOGIN',
      'GRANT "app" TO "app_clone" WITH INHERIT TRUE, SET TRUE',
      `ALTER ROLE "app_clone" SET role = 'app'`,
    ]);
    expect(plan.privilegeChanges).toEqual([
      'allowed login',
      'granted membership in app',
      'sessions run as app',
    ]);
  });

  it('accepts a membership without options before PostgreSQL 16, and grants without them', () => {
    const before16 = { versionNum: 150004, passwordEncryption: 'scram-sha-256', scramIterations: 4096 };
    const member = [{ group: 'app', admin_option: false }];
    expect(
      cloneUpsertPlan(inspection({ facts: before16, cloneMemberships: member }), change('app'), secretFor)
        .statements,
    ).toHaveLength(1);
    expect(
      cloneUpsertPlan(inspection({ facts: before16, cloneMemberships: [] }), change('app'), secretFor)
        .statements[1],
    ).toBe('GRANT "app" TO "app_clone"');
  });
});

describe('privilegeEscalationsIn', () => {
  it('passes a clone made by Rotor or the AWS template, and a missing clone', () => {
    expect(privilegeEscalationsIn(inspection())).toEqual([]);
    expect(privilegeEscalationsIn(inspection({ cloneRole: undefined, cloneMemberships: [] }))).toEqual([]);
  });

  it('names the original role administrative power', () => {
    const problems = privilegeEscalationsIn(
      inspection({ originalRole: role('app', { createrole: true, bypassrls: true }), cloneRole: undefined }),
    );
    expect(problems).toEqual([
      'the original role "app" holds CREATEROLE, BYPASSRLS; alternating users would hand a second login the same power',
    ]);
  });

  it('names what an existing clone holds beyond the original, then how to fix it', () => {
    const problems = privilegeEscalationsIn(
      inspection({
        cloneRole: role('app_clone', { super: true, createdb: true }),
        cloneMemberships: [
          { group: 'app', admin_option: true },
          { group: 'other', admin_option: false },
        ],
      }),
    );
    expect(problems).toEqual([
      'the existing clone "app_clone" holds SUPERUSER',
      'the existing clone "app_clone" holds CREATEDB, which the original role "app" does not',
      'the existing clone "app_clone" is a member of "other", beyond the original role "app"',
      'the existing clone "app_clone" holds ADMIN OPTION on "app" (it could grant the role to others)',
      'remove what the clone holds beyond LOGIN and membership in the original, or drop "app_clone" so that Rotor recreates it',
    ]);
  });

  it('lets a clone hold CREATEDB when the original does', () => {
    expect(
      privilegeEscalationsIn(
        inspection({
          originalRole: role('app', { createdb: true }),
          cloneRole: role('app_clone', { createdb: true }),
        }),
      ),
    ).toEqual([]);
  });
});
