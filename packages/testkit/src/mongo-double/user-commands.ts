import type { Document } from 'bson';
import {
  type Action,
  badValue,
  CommandError,
  parseRoles,
  type RoleRef,
  type UserDirectory,
  type UserRecord,
  unauthorized,
} from './user-directory';

// createUser, updateUser, dropUser, usersInfo, grantRolesToUser, revokeRolesFromUser, createRole
// and dropRole, with MongoDB's authorization rules and error codes.

export interface UserCommandContext {
  readonly directory: UserDirectory;
  /** The logged-in user of the connection. */
  readonly principal: UserRecord;
  /** The command's database ($db). */
  readonly db: string;
  /** Users nobody may change (DocumentDB's serviceadmin). */
  readonly protectedUsers: ReadonlySet<string>;
}

type Handler = (ctx: UserCommandContext, cmd: Document) => Document;

const isSelf = (ctx: UserCommandContext, name: string) =>
  ctx.principal.user === name && ctx.principal.db === ctx.db;

function demand(ctx: UserCommandContext, action: Action, db: string, command: string): void {
  if (!ctx.directory.allows(ctx.principal.roles, action, db)) {
    throw unauthorized(`${db} to execute command { ${command} }`);
  }
}

function targetName(cmd: Document, command: string): string {
  const name = cmd[command];
  if (typeof name !== 'string' || name === '') throw badValue(`${command} must be a non-empty user name`);
  return name;
}

function existing(ctx: UserCommandContext, name: string): UserRecord {
  const user = ctx.directory.find(ctx.db, name);
  if (!user) throw new CommandError(11, 'UserNotFound', `Could not find user "${name}" for db "${ctx.db}"`);
  return user;
}

function refuseProtected(ctx: UserCommandContext, name: string, command: string): void {
  if (ctx.db === 'admin' && ctx.protectedUsers.has(name)) {
    throw unauthorized(`admin to execute command { ${command} } on the service user ${name}`);
  }
}

function checkGrantable(
  ctx: UserCommandContext,
  roles: readonly RoleRef[],
  action: 'grantRole' | 'revokeRole',
) {
  for (const ref of roles) {
    ctx.directory.checkRole(ref);
    demand(ctx, action, ref.db, `${action} ${ref.role}@${ref.db}`);
  }
}

function password(cmd: Document): string | undefined {
  if (cmd.pwd === undefined) return undefined;
  if (typeof cmd.pwd !== 'string' || cmd.pwd === '') throw badValue('pwd must be a non-empty string');
  if (cmd.digestPassword === false) throw badValue('digestPassword: false is not supported');
  return cmd.pwd;
}

function restrictions(value: unknown): Document[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw badValue('authenticationRestrictions must be an array');
  return value as Document[];
}

const createUser: Handler = (ctx, cmd) => {
  const name = targetName(cmd, 'createUser');
  demand(ctx, 'createUser', ctx.db, 'createUser');
  refuseProtected(ctx, name, 'createUser');
  const pwd = password(cmd);
  const mechanisms = ctx.directory.mechanismsFor(ctx.db, cmd.mechanisms);
  if (ctx.db === '$external' && pwd !== undefined)
    throw badValue('Cannot set a password for $external users');
  if (ctx.db !== '$external' && pwd === undefined) throw badValue('Must provide a "pwd" field for all users');
  const roles = parseRoles(cmd.roles, ctx.db);
  checkGrantable(ctx, roles, 'grantRole');
  const customData = cmd.customData as Document | undefined;
  const authRestrictions = restrictions(cmd.authenticationRestrictions);
  ctx.directory.create(
    {
      user: name,
      db: ctx.db,
      roles,
      mechanisms,
      ...(customData === undefined ? {} : { customData }),
      ...(authRestrictions === undefined ? {} : { authenticationRestrictions: authRestrictions }),
    },
    pwd,
  );
  return { ok: 1 };
};

const updateUser: Handler = (ctx, cmd) => {
  const name = targetName(cmd, 'updateUser');
  refuseProtected(ctx, name, 'updateUser');
  const user = existing(ctx, name);
  const pwd = password(cmd);
  const self = isSelf(ctx, name);
  if (pwd !== undefined) {
    const may =
      ctx.directory.allows(ctx.principal.roles, 'changePassword', ctx.db) ||
      (self && ctx.directory.allows(ctx.principal.roles, 'changeOwnPassword', ctx.db));
    if (!may) throw unauthorized(`${ctx.db} to execute command { updateUser: "${name}", pwd: ... }`);
  }
  if (cmd.customData !== undefined) {
    const may =
      ctx.directory.allows(ctx.principal.roles, 'changeCustomData', ctx.db) ||
      (self && ctx.directory.allows(ctx.principal.roles, 'changeOwnCustomData', ctx.db));
    if (!may) throw unauthorized(`${ctx.db} to execute command { updateUser: "${name}", customData: ... }`);
  }
  let roles: RoleRef[] | undefined;
  if (cmd.roles !== undefined) {
    roles = parseRoles(cmd.roles, ctx.db);
    checkGrantable(ctx, roles, 'grantRole');
    checkGrantable(ctx, user.roles, 'revokeRole');
  }
  const authRestrictions = restrictions(cmd.authenticationRestrictions);
  if (authRestrictions !== undefined) demand(ctx, 'setAuthenticationRestriction', ctx.db, 'updateUser');
  let mechanisms = user.mechanisms;
  if (cmd.mechanisms !== undefined) {
    mechanisms = ctx.directory.mechanismsFor(ctx.db, cmd.mechanisms);
    if (pwd === undefined && !mechanisms.every((m) => user.mechanisms.includes(m))) {
      throw badValue('mechanisms field must be a subset of previously set mechanisms');
    }
  }
  // All checks first: a refused command changes nothing.
  if (pwd !== undefined) ctx.directory.setPassword(user, pwd, mechanisms);
  else if (cmd.mechanisms !== undefined) {
    user.mechanisms = mechanisms;
    for (const m of Object.keys(user.credentials)) {
      if (!mechanisms.includes(m)) delete user.credentials[m as keyof UserRecord['credentials']];
    }
  }
  if (roles !== undefined) user.roles = roles;
  if (cmd.customData !== undefined) user.customData = cmd.customData as Document;
  if (authRestrictions !== undefined) user.authenticationRestrictions = authRestrictions;
  return { ok: 1 };
};

const dropUser: Handler = (ctx, cmd) => {
  const name = targetName(cmd, 'dropUser');
  demand(ctx, 'dropUser', ctx.db, 'dropUser');
  refuseProtected(ctx, name, 'dropUser');
  existing(ctx, name);
  ctx.directory.remove(ctx.db, name);
  return { ok: 1 };
};

const changeRoles =
  (command: 'grantRolesToUser' | 'revokeRolesFromUser'): Handler =>
  (ctx, cmd) => {
    const name = targetName(cmd, command);
    refuseProtected(ctx, name, command);
    const roles = parseRoles(cmd.roles, ctx.db);
    checkGrantable(ctx, roles, command === 'grantRolesToUser' ? 'grantRole' : 'revokeRole');
    const user = existing(ctx, name);
    const same = (a: RoleRef, b: RoleRef) => a.role === b.role && a.db === b.db;
    user.roles =
      command === 'grantRolesToUser'
        ? [...user.roles, ...roles.filter((r) => !user.roles.some((u) => same(u, r)))]
        : user.roles.filter((u) => !roles.some((r) => same(u, r)));
    return { ok: 1 };
  };

const usersInfo: Handler = (ctx, cmd) => {
  const wanted = cmd.usersInfo as unknown;
  const refs: { user: string; db: string }[] = [];
  let all = false;
  if (typeof wanted === 'object' && wanted !== null && (wanted as Document).forAllDBs === true) {
    if (!ctx.directory.allows(ctx.principal.roles, 'viewUser', '*'))
      throw unauthorized('admin to view all users');
    const name = (cmd.filter as Document | undefined)?.user;
    return usersReply(
      ctx.directory.list('*').filter((u) => name === undefined || u.user === name),
      cmd,
    );
  }
  for (const item of Array.isArray(wanted) ? wanted : [wanted]) {
    if (typeof item === 'string') refs.push({ user: item, db: ctx.db });
    else if (typeof item === 'object' && item !== null && typeof item.user === 'string') {
      refs.push({ user: item.user, db: typeof item.db === 'string' ? item.db : ctx.db });
    } else if (item === 1) all = true;
    else throw badValue('usersInfo must be a user name, { user, db }, an array of those, or 1');
  }
  const found = all ? ctx.directory.list(ctx.db) : [];
  for (const ref of refs) {
    const self = ctx.principal.user === ref.user && ctx.principal.db === ref.db;
    if (!self) demand(ctx, 'viewUser', ref.db, 'usersInfo');
    const user = ctx.directory.find(ref.db, ref.user);
    if (user) found.push(user);
  }
  if (all) demand(ctx, 'viewUser', ctx.db, 'usersInfo');
  return usersReply(found, cmd);
};

function usersReply(found: readonly UserRecord[], cmd: Document): Document {
  return {
    users: found.map((u) => ({
      _id: `${u.db}.${u.user}`,
      userId: u.userId,
      user: u.user,
      db: u.db,
      roles: u.roles.map((r) => ({ ...r })),
      ...(u.customData === undefined ? {} : { customData: u.customData }),
      ...(cmd.showAuthenticationRestrictions === true
        ? { authenticationRestrictions: u.authenticationRestrictions ?? [] }
        : {}),
      mechanisms: [...u.mechanisms],
    })),
    ok: 1,
  };
}

const createRole: Handler = (ctx, cmd) => {
  const name = targetName(cmd, 'createRole');
  demand(ctx, 'createRole', ctx.db, 'createRole');
  const privileges = (Array.isArray(cmd.privileges) ? cmd.privileges : []).map((p: Document) => ({
    db: String(p.resource?.db ?? ''),
    actions: Array.isArray(p.actions) ? p.actions.map(String) : [],
  }));
  const roles = parseRoles(cmd.roles ?? [], ctx.db);
  checkGrantable(ctx, roles, 'grantRole');
  ctx.directory.createRole(ctx.db, name, privileges, roles);
  return { ok: 1 };
};

const dropRole: Handler = (ctx, cmd) => {
  const name = targetName(cmd, 'dropRole');
  demand(ctx, 'dropRole', ctx.db, 'dropRole');
  ctx.directory.dropRole(ctx.db, name);
  return { ok: 1 };
};

export const USER_COMMANDS: Readonly<Record<string, Handler>> = {
  createUser,
  updateUser,
  dropUser,
  usersInfo,
  grantRolesToUser: changeRoles('grantRolesToUser'),
  revokeRolesFromUser: changeRoles('revokeRolesFromUser'),
  createRole,
  dropRole,
};
