import {
  createCloneCommand,
  describeRoleChanges,
  extraRoles,
  type MongoUser,
  ownPasswordCommand,
  parseUsersInfo,
  syncCloneCommand,
  unrotatableReason,
  usersInfoAllDatabasesCommand,
  usersInfoCommand,
} from '../../src/documentdb-commands';

// Pure logic: the command documents the engine sends and how it reads usersInfo. What the server
// does with them is covered by the integration tests against the protocol double.

const original: MongoUser = {
  user: 'app',
  db: 'admin',
  roles: [
    { role: 'read', db: 'sales' },
    { role: 'readWrite', db: 'orders' },
  ],
  customData: { team: 'billing' },
  authenticationRestrictions: [{ clientSource: ['10.0.0.0/8'] }],
  mechanisms: ['SCRAM-SHA-256'],
};
const bare: MongoUser = { user: 'app', db: 'admin', roles: [{ role: 'read', db: 'sales' }] };

describe('command documents', () => {
  it('changes a password with updateUser and the password as a BSON string, whatever it contains', () => {
    expect(ownPasswordCommand('app', `p"w'}{$x`)).toEqual({ updateUser: 'app', pwd: `p"w'}{$x` });
  });

  it('asks usersInfo for one user in one database, with its authentication restrictions', () => {
    expect(usersInfoCommand('app', 'admin')).toEqual({
      usersInfo: { user: 'app', db: 'admin' },
      showAuthenticationRestrictions: true,
    });
  });

  it('asks usersInfo for a name in every database', () => {
    expect(usersInfoAllDatabasesCommand('app')).toEqual({
      usersInfo: { forAllDBs: true },
      filter: { user: 'app' },
    });
  });

  it('creates the clone with the original roles, customData, authenticationRestrictions and mechanisms', () => {
    expect(createCloneCommand('app_clone', 'new-pw', original)).toEqual({
      createUser: 'app_clone',
      pwd: 'new-pw',
      roles: original.roles,
      customData: { team: 'billing' },
      authenticationRestrictions: [{ clientSource: ['10.0.0.0/8'] }],
      mechanisms: ['SCRAM-SHA-256'],
    });
  });

  it('leaves out what the original does not have, so the server applies its defaults', () => {
    expect(
      createCloneCommand('app_clone', 'pw', { ...bare, authenticationRestrictions: [], mechanisms: [] }),
    ).toEqual({
      createUser: 'app_clone',
      pwd: 'pw',
      roles: [{ role: 'read', db: 'sales' }],
    });
  });

  it('copies the roles rather than sharing the original objects', () => {
    const command = createCloneCommand('app_clone', 'pw', original);
    expect(command.roles).not.toBe(original.roles);
    expect(command.roles[0]).not.toBe(original.roles[0]);
  });
});

describe('syncCloneCommand', () => {
  const cloneNow: MongoUser = {
    user: 'app_clone',
    db: 'admin',
    roles: [{ role: 'dbOwner', db: 'sales' }],
    customData: { stale: true },
    authenticationRestrictions: [{ clientSource: ['0.0.0.0/0'] }],
    mechanisms: ['SCRAM-SHA-1', 'SCRAM-SHA-256'],
  };

  it('with a password: replaces roles, customData, restrictions and mechanisms', () => {
    expect(syncCloneCommand('app_clone', original, 'pw', cloneNow)).toEqual({
      updateUser: 'app_clone',
      pwd: 'pw',
      roles: original.roles,
      customData: { team: 'billing' },
      authenticationRestrictions: [{ clientSource: ['10.0.0.0/8'] }],
      mechanisms: ['SCRAM-SHA-256'],
    });
  });

  it('without a password: leaves mechanisms alone (MongoDB only narrows them with a new password)', () => {
    const command = syncCloneCommand('app_clone', original, undefined, cloneNow);
    expect(command).not.toHaveProperty('pwd');
    expect(command).not.toHaveProperty('mechanisms');
    expect(command.roles).toEqual(original.roles);
  });

  it('empties customData and restrictions the clone has and the original lost', () => {
    expect(syncCloneCommand('app_clone', bare, undefined, cloneNow)).toEqual({
      updateUser: 'app_clone',
      roles: [{ role: 'read', db: 'sales' }],
      customData: {},
      authenticationRestrictions: [],
    });
  });

  it('sends no empty customData or restrictions when neither user has them', () => {
    const plainClone: MongoUser = { user: 'app_clone', db: 'admin', roles: [] };
    expect(syncCloneCommand('app_clone', bare, 'pw', plainClone)).toEqual({
      updateUser: 'app_clone',
      pwd: 'pw',
      roles: [{ role: 'read', db: 'sales' }],
    });
  });
});

describe('parseUsersInfo', () => {
  it('reads users with roles, customData, restrictions and mechanisms', () => {
    const reply = {
      users: [
        {
          _id: 'admin.app',
          user: 'app',
          db: 'admin',
          roles: [{ role: 'read', db: 'sales' }],
          customData: { team: 'billing' },
          authenticationRestrictions: [{ clientSource: ['10.0.0.0/8'] }],
          mechanisms: ['SCRAM-SHA-256'],
        },
      ],
      ok: 1,
    };
    expect(parseUsersInfo(reply)).toEqual([
      {
        user: 'app',
        db: 'admin',
        roles: [{ role: 'read', db: 'sales' }],
        customData: { team: 'billing' },
        authenticationRestrictions: [{ clientSource: ['10.0.0.0/8'] }],
        mechanisms: ['SCRAM-SHA-256'],
      },
    ]);
  });

  it('leaves out fields the server did not report', () => {
    expect(parseUsersInfo({ users: [{ user: 'app', db: 'admin', roles: [] }] })).toEqual([
      { user: 'app', db: 'admin', roles: [] },
    ]);
  });

  it('returns no users for an unknown name', () => {
    expect(parseUsersInfo({ users: [], ok: 1 })).toEqual([]);
  });

  it.each([
    ['no users array', { ok: 1 }, /no "users" array/],
    ['a user without roles', { users: [{ user: 'a', db: 'admin' }] }, /without user, db and roles/],
    ['a user without a name', { users: [{ db: 'admin', roles: [] }] }, /without user, db and roles/],
  ])('refuses a reply with %s', (_name, reply, message) => {
    expect(() => parseUsersInfo(reply)).toThrow(message);
  });
});

describe('unrotatableReason', () => {
  it('accepts a SCRAM user, and a user whose mechanisms the server did not report', () => {
    expect(unrotatableReason('app', 'admin', original)).toBeUndefined();
    expect(unrotatableReason('app', 'admin', bare)).toBeUndefined();
    expect(unrotatableReason('app', 'admin')).toBeUndefined();
  });

  it("refuses DocumentDB's serviceadmin in admin only", () => {
    expect(unrotatableReason('serviceadmin', 'admin')).toMatch(/DocumentDB's service user/);
    expect(unrotatableReason('serviceadmin', 'sales')).toBeUndefined();
  });

  it('refuses IAM users by database or by mechanism', () => {
    expect(unrotatableReason('arn:aws:iam::1:role/x', '$external')).toMatch(/authenticates through IAM/);
    expect(unrotatableReason('app', 'admin', { ...bare, mechanisms: ['MONGODB-AWS'] })).toMatch(
      /authenticates through IAM/,
    );
  });

  it('refuses a user with no SCRAM mechanism', () => {
    expect(unrotatableReason('app', 'admin', { ...bare, mechanisms: ['PLAIN'] })).toMatch(
      /has no SCRAM password \(mechanisms PLAIN\)/,
    );
  });
});

describe('role comparisons', () => {
  it('describes granted and revoked roles by name', () => {
    expect(
      describeRoleChanges(
        [
          { role: 'read', db: 'a' },
          { role: 'dbOwner', db: 'b' },
        ],
        [
          { role: 'read', db: 'a' },
          { role: 'readWrite', db: 'c' },
        ],
      ),
    ).toEqual(['granted readWrite@c', 'revoked dbOwner@b']);
  });

  it('tells a role on another database apart', () => {
    expect(describeRoleChanges([{ role: 'read', db: 'a' }], [{ role: 'read', db: 'b' }])).toEqual([
      'granted read@b',
      'revoked read@a',
    ]);
  });

  it('lists roles a user holds beyond the original', () => {
    const clone: MongoUser = {
      user: 'app_clone',
      db: 'admin',
      roles: [...original.roles, { role: 'dbOwner', db: 'sales' }],
    };
    expect(extraRoles(clone, original)).toEqual(['dbOwner@sales']);
    expect(extraRoles(original, clone)).toEqual([]);
  });
});
