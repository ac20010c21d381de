import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import {
  alterRolePasswordStatement,
  createLoginRoleStatement,
  grantMembershipStatement,
  md5Verifier,
  passwordFormatFor,
  passwordForServer,
  quoteIdent,
  quoteLiteral,
  roleSettingEntry,
  scramSha256Verifier,
  setRoleStatement,
} from '../../src/postgres-sql';

/** Hostile names with what the server's quote_ident / quote_literal return for them (PostgreSQL 17). */
const HOSTILE: [name: string, ident: string, literal: string][] = [
  ['app', '"app"', "'app'"],
  ['a"b', '"a""b"', `'a"b'`],
  ["x'; DROP ROLE y; --", `"x'; DROP ROLE y; --"`, "'x''; DROP ROLE y; --'"],
  ['"; DROP ROLE y; --', '"""; DROP ROLE y; --"', `'"; DROP ROLE y; --'`],
  ['back\\slash', '"back\\slash"', "E'back\\\\slash'"],
  ["a\\'b", `"a\\'b"`, "E'a\\\\''b'"],
  ['with space', '"with space"', "'with space'"],
  ['MixedCase', '"MixedCase"', "'MixedCase'"],
  ['ünïcødé_名前', '"ünïcødé_名前"', "'ünïcødé_名前'"],
  ['select', '"select"', "'select'"],
  ['$1', '"$1"', "'$1'"],
  ['a$$b', '"a$$b"', "'a$$b'"],
];

describe('quoteIdent', () => {
  it.each(HOSTILE)('quotes %j as the server does', (name, ident) => {
    expect(quoteIdent(name)).toBe(ident);
  });

  it('always quotes, so lowercase names keep meaning the same and mixed case is preserved', () => {
    expect(quoteIdent('plain')).toBe('"plain"');
    expect(quoteIdent('Plain')).toBe('"Plain"');
  });

  it('refuses NUL, empty names and names the server would truncate into another name', () => {
    expect(() => quoteIdent('a\0b')).toThrow(/NUL/);
    expect(() => quoteIdent('')).toThrow(/empty/);
    expect(quoteIdent('x'.repeat(63))).toBe(`"${'x'.repeat(63)}"`);
    expect(() => quoteIdent('x'.repeat(64))).toThrow(/64 bytes/);
    // 32 two-byte characters: 32 characters but 64 bytes
    expect(() => quoteIdent('é'.repeat(32))).toThrow(/64 bytes/);
  });
});

describe('quoteLiteral', () => {
  it.each(HOSTILE)('quotes %j as quote_literal does', (name, _ident, literal) => {
    expect(quoteLiteral(name)).toBe(literal);
  });

  it('uses the E form only when a backslash is present', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('a\\')).toBe("E'a\\\\'");
    expect(quoteLiteral('')).toBe("''");
  });

  it('refuses NUL', () => {
    expect(() => quoteLiteral('a\0')).toThrow(/NUL/);
  });
});

/**
 * Verifiers the server computed itself (PostgreSQL 17.6, `ALTER ROLE ... PASSWORD '<plaintext>'` with
 * password_encryption = scram-sha-256, then pg_authid.rolpassword). Given the same salt, the client-side
 * verifier must be byte for byte the same. The non-ASCII ones exercise PostgreSQL's SASLprep.
 */
const SERVER_VERIFIERS: [password: string, verifier: string][] = [
  [
    'pencil',
    'SCRAM-SHA-256$4096:rJxXAT6zUJv3/t4ngWcVdA==$+NSndH513NdYg9W4U5nAi6OGPt62J/4ZxZlke6VBgvI=:H/7vjmvE2LSW/yC4q46hWIzJX0UzCoQZ/OQFypZi5sk=',
  ],
  [
    'it\'s\\a "pw"',
    'SCRAM-SHA-256$4096:Y0H5JyxBbvzSpJQbquFAmA==$Ye+Hz02lGFRCVe7n75OqlaUvVJ3PUOKoYx1FTJ45zW0=:Fwx3F6fR20JnB+h7n4hA5/e/tnCH34mcL6v44USlPyA=',
  ],
  [
    '\uFB01x', // ligature fi: NFKC makes it "fix"
    'SCRAM-SHA-256$4096:OCyBmqa0ThRoIXY5LQGJMQ==$5byRaRdP7853QnUPzkaWWYF8Y8wgrBGlJr3pa63M7Rk=:76u6JGjmVPVGbsklgSCd9ApAqeX31t5V4s3ukapK5KM=',
  ],
  [
    '\uFF30\uFF41\uFF53\uFF53', // full-width "Pass"
    'SCRAM-SHA-256$4096:Bk235moSFfQHXD2JLnZLxQ==$lxK0Gv5LQly7L5ZbpWnGd9hfsjZBA3vBetCw8xhBDD8=:oBKO9Q6AIOHGgTzePAjAnakppUxOzZOGh/RPEJQLuq0=',
  ],
  [
    'a\u00A0b', // no-break space maps to space
    'SCRAM-SHA-256$4096:jV34rSCj/Y9kRfjlmnsFhA==$GK+vCnhqDM6sn3qLVotwWmqNSCDELsPRSqgWJTTb+2Y=:2R0Mnzq97b5pYxoy53qO7sHUV9DE9+xVJ1BXgtllblU=',
  ],
  [
    'a\u00ADb', // soft hyphen maps to nothing
    'SCRAM-SHA-256$4096:va3okYefHOXHA5HvEDtNmA==$XTi4PF7wsqQSPZxAmW+s9+zeZsf99kYE7dX7V8kKOe8=:5PdvsBbq12k6hP9mDvrCi19XFSJON8QDy/YjXvLv6kQ=',
  ],
  [
    'a\u0007\u00E9', // control character: prohibited, the raw password is used
    'SCRAM-SHA-256$4096:a3Gska+q7CkPNhXdX8XXYQ==$tABA++iJy5wD6N1+cIzHOYeAi3I7zYagSAdKdmEqW44=:6QOzDAdM6pI0Rt1hPIcBZmVV/C8Ob9MMAvwIQYj0z70=',
  ],
  [
    '\u05E9\u05DC\u05D5\u05DD', // all right-to-left: allowed
    'SCRAM-SHA-256$4096:3ZOn9jjoly0VSLV59whY7Q==$kPWs4oZZUuNtYNoWl2Dp/o62qrG2CGddxZ9+lOKteUw=:aql+hUBO/9X/eAd4i6HWpJ0Y9YV+VZ3hoFGS/oShl3E=',
  ],
  [
    'a\u05E9', // left-to-right and right-to-left mixed: bidi rule fails, raw password
    'SCRAM-SHA-256$4096:5CuLwKZbHEpYWDJKRleWDg==$TC/wTkJ6xGuvIh8ZW0LX9A3a89t+3JIEFUdNEtkZV4c=:SigL25vPktGzoX8Z8137+ZoL0lbFNnvtN7qyWMQnB1g=',
  ],
  [
    '1\u05E9', // right-to-left not first: raw password
    'SCRAM-SHA-256$4096:f2nq/bo4hHmJLAc/++eKLg==$Df3PHVSSWNxhHp8earpvKr7gSysw4L49Fi3V5SdA6GA=:mPrU4yOea5MAJRYhyPdGjGia7pdc8utNxM4Av9jfQrI=',
  ],
  [
    '\u{1F110}x', // assigned after Unicode 3.2: the server calls it unassigned, raw password
    'SCRAM-SHA-256$4096:PbLpc/IMCfIY7Sjsj2LVeA==$/r5sRhPPcGMy5MTXNiejsEoxsYD5iuKFeCt4smkQFYA=:+F3C4ftBe5zRlXLbj8sGJkdhQJ37o1slnuvFfP1UOxo=',
  ],
  [
    '\u00AD', // nothing left after mapping: raw password
    'SCRAM-SHA-256$4096:oCZTRJ0x4jfoc7dgVrswww==$6ZVnf9pZkNEZlqxC/UykQf6kBioQmCmpm2DX5okDWng=:vTpE22MO0+pyhCLpwr8ddpJFHIVnHUKwcOpO4Z7YxAI=',
  ],
  [
    'e\u0301', // combining accent composes to U+00E9
    'SCRAM-SHA-256$4096:VcHek8AH6lmRmS85jwh59g==$UtJPsGW3zfakMBzjPzIimS3rw3f5g0p33lQiGmN/f08=:r26KWMMNxvI6/8o4m664etRTWj0955ts2P59heWeNOQ=',
  ],
  [
    '\u2178', // small roman numeral nine: NFKC "ix"
    'SCRAM-SHA-256$4096:IwC9MB30fWVo6DHKsCmrCw==$JPGmgKISQ+IxXqVhoPNqG7v1QuAQNxhvbLUT++tNPpw=:JcsIGDQaB8/0jBo55pI90pMkWQWEtSTqoABVhmCo3HI=',
  ],
];

describe('scramSha256Verifier', () => {
  it.each(SERVER_VERIFIERS)(
    'equals the server-computed verifier for %j given its salt',
    (password, verifier) => {
      const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(verifier) ?? [];
      expect(
        scramSha256Verifier(password, {
          salt: Buffer.from(salt as string, 'base64'),
          iterations: Number(iterations),
        }),
      ).toBe(verifier);
    },
  );

  it('has the stored format with 4096 iterations and a fresh 16-byte salt each time', () => {
    const a = scramSha256Verifier('Secret-1');
    const b = scramSha256Verifier('Secret-1');
    const format = /^SCRAM-SHA-256\$4096:([A-Za-z0-9+/=]{24})\$([A-Za-z0-9+/=]{44}):([A-Za-z0-9+/=]{44})$/;
    expect(a).toMatch(format);
    expect(Buffer.from(format.exec(a)?.[1] as string, 'base64')).toHaveLength(16);
    expect(a).not.toBe(b);
    expect(a).not.toContain('Secret-1');
  });

  it('is deterministic given salt and iterations, and follows RFC 5802 key derivation', () => {
    const salt = Buffer.from('0123456789abcdef');
    const v = scramSha256Verifier('Secret-1', { salt, iterations: 4096 });
    expect(scramSha256Verifier('Secret-1', { salt, iterations: 4096 })).toBe(v);
    const salted = pbkdf2Sync('Secret-1', salt, 4096, 32, 'sha256');
    const storedKey = createHash('sha256')
      .update(createHmac('sha256', salted).update('Client Key').digest())
      .digest('base64');
    const serverKey = createHmac('sha256', salted).update('Server Key').digest('base64');
    expect(v).toBe(`SCRAM-SHA-256$4096:${salt.toString('base64')}$${storedKey}:${serverKey}`);
    expect(scramSha256Verifier('Secret-1', { salt, iterations: 10_000 })).toMatch(/^SCRAM-SHA-256\$10000:/);
  });

  it('refuses nonsense settings', () => {
    expect(() => scramSha256Verifier('x', { iterations: 0 })).toThrow(/iterations/);
    expect(() => scramSha256Verifier('x', { salt: Buffer.alloc(0) })).toThrow(/salt/);
  });
});

describe('md5Verifier', () => {
  it('is md5 of password then role name, as PostgreSQL stores it', () => {
    // printf 'secretapp' | md5sum
    expect(md5Verifier('secret', 'app')).toBe(`md5${createHash('md5').update('secretapp').digest('hex')}`);
    expect(md5Verifier('secret', 'app')).toMatch(/^md5[0-9a-f]{32}$/);
    expect(md5Verifier('secret', 'App')).not.toBe(md5Verifier('secret', 'app'));
  });
});

describe('passwordFormatFor', () => {
  it.each([
    [170006, 'scram-sha-256', undefined, 'scram-sha-256'],
    [120000, 'scram-sha-256', undefined, 'scram-sha-256'],
    [100000, 'SCRAM-SHA-256', undefined, 'scram-sha-256'],
    [130000, 'md5', undefined, 'md5'],
    [120000, 'on', undefined, 'md5'],
    [90600, 'on', undefined, 'md5'],
    [90600, 'off', undefined, 'md5'],
    [170000, 'something-new', undefined, 'plaintext'],
  ] as const)(
    'server %d with password_encryption=%s sends %s',
    (versionNum, passwordEncryption, _unused, format) => {
      expect(passwordFormatFor({ versionNum, passwordEncryption })).toBe(format);
    },
  );

  it('sends the right thing for each format', () => {
    expect(passwordForServer('pw', 'u', 'scram-sha-256')).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(passwordForServer('pw', 'u', 'scram-sha-256', 8192)).toMatch(/^SCRAM-SHA-256\$8192:/);
    expect(passwordForServer('pw', 'u', 'md5')).toBe(md5Verifier('pw', 'u'));
    expect(passwordForServer('pw', 'u', 'plaintext')).toBe('pw');
  });
});

describe('statement builders', () => {
  it.each(HOSTILE)('build statements for %j that quote every name and value', (name, ident, literal) => {
    const verifier = 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5';
    expect(alterRolePasswordStatement(name, verifier)).toBe(
      `ALTER ROLE ${ident} WITH PASSWORD '${verifier}'`,
    );
    expect(createLoginRoleStatement(name, verifier)).toBe(
      `CREATE ROLE ${ident} WITH LOGIN PASSWORD '${verifier}'`,
    );
    expect(setRoleStatement('clone', name)).toBe(`ALTER ROLE "clone" SET role = ${literal}`);
    expect(grantMembershipStatement(name, 'clone', 150000)).toBe(`GRANT ${ident} TO "clone"`);
  });

  it('spells out INHERIT and SET on PostgreSQL 16+, where memberships have options', () => {
    expect(grantMembershipStatement('app', 'app_clone', 160000)).toBe(
      'GRANT "app" TO "app_clone" WITH INHERIT TRUE, SET TRUE',
    );
  });

  it('quotes a plaintext password holding quotes and backslashes', () => {
    expect(alterRolePasswordStatement('app', "p'w\\")).toBe(`ALTER ROLE "app" WITH PASSWORD E'p''w\\\\'`);
  });

  it('names the pg_db_role_setting entry of the role setting', () => {
    expect(roleSettingEntry('App "x"')).toBe('role=App "x"');
  });
});
