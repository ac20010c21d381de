import { accountsQuery, userNameLiteral } from '../../src/mysql-account-reads';

describe('userNameLiteral', () => {
  it('writes the name as hex digits only, read as utf8mb4 and compared case-sensitively', () => {
    expect(userNameLiteral("o'q\\b ü")).toBe("_utf8mb4 X'6f27715c6220c3bc' COLLATE utf8mb4_bin");
    expect(userNameLiteral('')).toBe("_utf8mb4 X'' COLLATE utf8mb4_bin");
  });

  it('leaves nothing of a hostile name in the statement text', () => {
    const hostile = "x' OR 1=1; DROP USER root -- \\";
    const sql = accountsQuery([hostile, `${hostile}_clone`], 'mysql');
    expect(sql).not.toContain('OR 1=1');
    expect(sql).not.toContain('DROP');
    expect(sql.match(/X'([^']*)'/g)?.every((hex) => /^X'[0-9a-f]*'$/.test(hex))).toBe(true);
  });
});

describe('accountsQuery', () => {
  it("asks for MariaDB's max_statement_time only on MariaDB", () => {
    expect(accountsQuery(['a', 'a_clone'], 'mariadb')).toContain('max_statement_time');
    expect(accountsQuery(['a', 'a_clone'], 'mysql')).not.toContain('max_statement_time');
  });

  it("numbers each user's rows by its place in the list", () => {
    const sql = accountsQuery(['a', 'b'], 'mysql');
    expect(sql).toContain(
      `WHEN u.User = ${userNameLiteral('a')} THEN 0 WHEN u.User = ${userNameLiteral('b')} THEN 1`,
    );
  });
});
