// SHOW GRANTS, read into a structure: what an account holds at each level, its roles, proxies,
// MySQL 8 partial revokes and MariaDB default roles. Pure text processing, no I/O.
import { DatabaseChangeError } from '@rotor/rotation-core';
import { type Account, quoteAccount, quoteIdentifier } from './mysql-sql';

/** Where a privilege applies. `objectType` is set for routines (PROCEDURE, FUNCTION, PACKAGE ...). */
export type PrivilegeLevel =
  | { readonly kind: 'global' }
  | { readonly kind: 'database'; readonly database: string }
  | {
      readonly kind: 'object';
      readonly database: string;
      readonly name: string;
      readonly objectType?: string;
    };

/** One privilege on one level (and column), as granted. */
export interface PrivilegeGrant {
  readonly level: PrivilegeLevel;
  /** Upper case, words single-spaced: `SELECT`, `ALL PRIVILEGES`, `BACKUP_ADMIN`, `USAGE`. */
  readonly privilege: string;
  readonly column?: string;
  /** The line said WITH GRANT OPTION (per level for static privileges, per privilege for MySQL 8 dynamic ones). */
  readonly grantOption: boolean;
}

export interface RoleGrant {
  readonly role: Account;
  readonly adminOption: boolean;
}

export interface ProxyGrant {
  readonly proxied: Account;
  readonly grantOption: boolean;
}

export interface UserGrants {
  readonly privileges: readonly PrivilegeGrant[];
  /** MySQL 8 partial revokes (`REVOKE INSERT ON db.* FROM u`, with partial_revokes=ON). */
  readonly partialRevokes: readonly PrivilegeGrant[];
  readonly roles: readonly RoleGrant[];
  readonly proxies: readonly ProxyGrant[];
  /** MariaDB lists `SET DEFAULT ROLE r FOR u`; MySQL keeps default roles in mysql.default_roles. */
  readonly defaultRoles: readonly Account[];
}

/** SHOW GRANTS printed something the parser cannot read; nothing was changed on its account. */
export class GrantParseError extends DatabaseChangeError {
  override readonly name = 'GrantParseError';
}

type Token =
  | { readonly type: 'word'; readonly value: string; readonly start: number }
  | { readonly type: 'ident'; readonly value: string; readonly start: number }
  | { readonly type: 'string'; readonly value: string; readonly start: number }
  | { readonly type: 'punct'; readonly value: string; readonly start: number };

const WORD = /[A-Za-z0-9_$]/;

/** Reads SHOW GRANTS text token by token; `pos` may be moved to re-read raw text. */
class GrantLexer {
  pos = 0;
  constructor(readonly text: string) {}

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  peek(): Token | undefined {
    const saved = this.pos;
    const token = this.next();
    this.pos = saved;
    return token;
  }

  next(): Token | undefined {
    this.skipSpace();
    const { text } = this;
    const start = this.pos;
    const c = text[start];
    if (c === undefined) return undefined;
    if (c === '`' || c === "'" || c === '"') {
      let value = '';
      let i = start + 1;
      for (;;) {
        const ch = text[i];
        if (ch === undefined) throw new GrantParseError('unterminated quoted name');
        if (ch === c) {
          if (text[i + 1] === c) {
            value += c;
            i += 2;
            continue;
          }
          break;
        }
        // Inside string literals the server may write \' and \\; names in backticks are verbatim.
        if (ch === '\\' && c !== '`' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      this.pos = i + 1;
      return { type: c === '`' ? 'ident' : 'string', value, start };
    }
    if (WORD.test(c)) {
      let i = start;
      while (i < text.length && WORD.test(text[i] as string)) i++;
      this.pos = i;
      return { type: 'word', value: text.slice(start, i), start };
    }
    this.pos = start + 1;
    return { type: 'punct', value: c, start };
  }
}

const isWord = (t: Token | undefined, ...values: string[]): boolean =>
  t !== undefined && t.type === 'word' && values.includes(t.value.toUpperCase());
const isPunct = (t: Token | undefined, value: string): boolean =>
  t !== undefined && t.type === 'punct' && t.value === value;

const ROUTINE_TYPES = ['PROCEDURE', 'FUNCTION', 'PACKAGE'];

/**
 * Parses the rows of `SHOW GRANTS FOR <grantee>`: MySQL 5.7 (`'u'@'h'` grantees), 8.0 / 8.4 / 9.x
 * (backticks, dynamic privileges, roles, partial revokes) and MariaDB 10.x / 11.x (roles without
 * hosts, `SET DEFAULT ROLE`, `IDENTIFIED ...`, `REQUIRE ...` and limits on the USAGE row).
 *
 * `grantee` is the account asked about: MySQL 5.7 writes the grantee between single quotes without
 * escaping, so a name with a quote in it can only be skipped by knowing it. A row that cannot be
 * understood throws: silently missing a privilege would make the clone differ from the original.
 * Error messages never quote the row (it can hold a password hash).
 */
export function parseShowGrants(rows: readonly string[], grantee?: Account): UserGrants {
  const privileges: PrivilegeGrant[] = [];
  const partialRevokes: PrivilegeGrant[] = [];
  const roles: RoleGrant[] = [];
  const proxies: ProxyGrant[] = [];
  const defaultRoles: Account[] = [];

  rows.forEach((row, index) => {
    const lexer = new GrantLexer(row);
    const fail = (problem: string) =>
      new GrantParseError(`SHOW GRANTS row ${index + 1} could not be read: ${problem}`);
    try {
      const first = lexer.next();
      if (isWord(first, 'GRANT')) {
        const head = lexer.peek();
        if (head?.type === 'ident' || head?.type === 'string') {
          const granted = parseAccountList(lexer);
          expectWord(lexer, 'TO');
          skipGrantee(lexer, grantee);
          const rest = restTokens(lexer);
          const adminOption = hasSequence(rest, 'ADMIN', 'OPTION');
          for (const role of granted) roles.push({ role, adminOption });
          return;
        }
        const names = parsePrivilegeList(lexer);
        expectWord(lexer, 'ON');
        if (names.length === 1 && names[0]?.privilege === 'PROXY') {
          const proxied = parseAccount(lexer);
          expectWord(lexer, 'TO');
          skipGrantee(lexer, grantee);
          proxies.push({ proxied, grantOption: hasSequence(restTokens(lexer), 'GRANT', 'OPTION') });
          return;
        }
        const level = parseLevel(lexer);
        expectWord(lexer, 'TO');
        skipGrantee(lexer, grantee);
        const grantOption = hasSequence(restTokens(lexer), 'GRANT', 'OPTION');
        for (const name of names) {
          // USAGE means "no privilege"; it only matters when it carries the grant option.
          if (name.privilege === 'USAGE' && !grantOption) continue;
          privileges.push({ level, ...name, grantOption });
        }
        return;
      }
      if (isWord(first, 'REVOKE')) {
        const names = parsePrivilegeList(lexer);
        expectWord(lexer, 'ON');
        const level = parseLevel(lexer);
        expectWord(lexer, 'FROM');
        skipGrantee(lexer, grantee);
        for (const name of names) partialRevokes.push({ level, ...name, grantOption: false });
        return;
      }
      if (isWord(first, 'SET')) {
        expectWord(lexer, 'DEFAULT');
        expectWord(lexer, 'ROLE');
        if (isWord(lexer.peek(), 'NONE')) return;
        defaultRoles.push(...parseAccountList(lexer));
        return;
      }
      throw fail(`unexpected first word ${first?.type === 'word' ? first.value : '(none)'}`);
    } catch (error) {
      if (error instanceof GrantParseError && !error.message.startsWith('SHOW GRANTS row')) {
        throw fail(error.message);
      }
      throw error;
    }
  });
  return { privileges, partialRevokes, roles, proxies, defaultRoles };
}

function expectWord(lexer: GrantLexer, word: string): void {
  const t = lexer.next();
  if (!isWord(t, word)) throw new GrantParseError(`expected ${word}`);
}

function parseName(lexer: GrantLexer): string {
  const t = lexer.next();
  if (t === undefined || t.type === 'punct') throw new GrantParseError('expected a name');
  return t.value;
}

function parseAccount(lexer: GrantLexer): Account {
  const user = parseName(lexer);
  if (isPunct(lexer.peek(), '@')) {
    lexer.next();
    return { user, host: parseName(lexer) };
  }
  return { user };
}

function parseAccountList(lexer: GrantLexer): Account[] {
  const accounts = [parseAccount(lexer)];
  while (isPunct(lexer.peek(), ',')) {
    lexer.next();
    accounts.push(parseAccount(lexer));
  }
  return accounts;
}

/** The ways a server may have written `grantee`; MySQL 5.7 pastes it between quotes unescaped. */
function granteeRenderings(grantee: Account): string[] {
  if (grantee.host === undefined) return [quoteIdentifier(grantee.user), `'${grantee.user}'`];
  const { user, host } = grantee;
  const doubled = (s: string) => s.replace(/'/g, "''");
  const backslashed = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  return [
    quoteAccount(grantee),
    `'${user}'@'${host}'`,
    `'${doubled(user)}'@'${doubled(host)}'`,
    `'${backslashed(user)}'@'${backslashed(host)}'`,
  ];
}

function skipGrantee(lexer: GrantLexer, grantee: Account | undefined): void {
  if (grantee !== undefined) {
    lexer.atEnd();
    const rest = lexer.text.slice(lexer.pos);
    const found = granteeRenderings(grantee).find(
      (r) => rest.startsWith(r) && (rest.length === r.length || /\s/.test(rest[r.length] as string)),
    );
    if (found !== undefined) {
      lexer.pos += found.length;
      return;
    }
  }
  parseAccount(lexer);
}

function restTokens(lexer: GrantLexer): Token[] {
  const tokens: Token[] = [];
  for (let t = lexer.next(); t !== undefined; t = lexer.next()) tokens.push(t);
  return tokens;
}

function hasSequence(tokens: readonly Token[], a: string, b: string): boolean {
  return tokens.some((t, i) => isWord(t, a) && isWord(tokens[i + 1], b));
}

function parsePrivilegeList(lexer: GrantLexer): { privilege: string; column?: string }[] {
  const out: { privilege: string; column?: string }[] = [];
  for (;;) {
    const words: string[] = [];
    while (lexer.peek()?.type === 'word' && !isWord(lexer.peek(), 'ON')) {
      words.push((lexer.next() as Token).value.toUpperCase());
    }
    if (words.length === 0) throw new GrantParseError('expected a privilege name');
    const privilege = words.join(' ');
    if (isPunct(lexer.peek(), '(')) {
      lexer.next();
      for (const column of parseColumnList(lexer)) out.push({ privilege, column });
    } else {
      out.push({ privilege });
    }
    if (isPunct(lexer.peek(), ',')) {
      lexer.next();
      continue;
    }
    return out;
  }
}

/** `(`c1`, `c 2`)` in MySQL 8 and MariaDB; MySQL 5.7 writes the column names bare: `(c1, c 2)`. */
function parseColumnList(lexer: GrantLexer): string[] {
  const columns: string[] = [];
  for (;;) {
    lexer.atEnd();
    if (lexer.text[lexer.pos] === '`') {
      columns.push((lexer.next() as Token).value);
    } else {
      const { text } = lexer;
      let end = lexer.pos;
      while (end < text.length && text[end] !== ',' && text[end] !== ')') end++;
      const name = text.slice(lexer.pos, end).trim();
      if (name === '') throw new GrantParseError('empty column name');
      columns.push(name);
      lexer.pos = end;
    }
    const sep = lexer.next();
    if (isPunct(sep, ')')) return columns;
    if (!isPunct(sep, ',')) throw new GrantParseError('expected , or ) in a column list');
  }
}

function parseLevel(lexer: GrantLexer): PrivilegeLevel {
  let objectType: string | undefined;
  const t = lexer.peek();
  if (isWord(t, 'TABLE')) {
    lexer.next();
  } else if (t?.type === 'word' && ROUTINE_TYPES.includes(t.value.toUpperCase())) {
    lexer.next();
    objectType = t.value.toUpperCase();
    if (objectType === 'PACKAGE' && isWord(lexer.peek(), 'BODY')) {
      lexer.next();
      objectType = 'PACKAGE BODY';
    }
  }
  if (isPunct(lexer.peek(), '*')) {
    lexer.next();
    if (isPunct(lexer.peek(), '.')) {
      lexer.next();
      if (!isPunct(lexer.next(), '*')) throw new GrantParseError('expected *.*');
    }
    return { kind: 'global' };
  }
  const database = parseName(lexer);
  if (!isPunct(lexer.next(), '.')) throw new GrantParseError('expected database.object');
  if (isPunct(lexer.peek(), '*')) {
    lexer.next();
    return { kind: 'database', database };
  }
  const name = parseName(lexer);
  return objectType === undefined
    ? { kind: 'object', database, name }
    : { kind: 'object', database, name, objectType };
}

/** A level as GRANT and REVOKE write it: `*.*`, `` `db`.* ``, `` PROCEDURE `db`.`p` ``. */
export function renderLevel(level: PrivilegeLevel): string {
  switch (level.kind) {
    case 'global':
      return '*.*';
    case 'database':
      return `${quoteIdentifier(level.database)}.*`;
    case 'object': {
      const prefix = level.objectType === undefined ? '' : `${level.objectType} `;
      return `${prefix}${quoteIdentifier(level.database)}.${quoteIdentifier(level.name)}`;
    }
  }
}
