/**
 * The few T-SQL string expressions the engine uses to build DDL on the server, evaluated as SQL
 * Server does: N'...' literals, @variables, QUOTENAME(@v), REPLACE(@v, N'''', N''''''), NCHAR(10),
 * joined by +. NULL propagates (CONCAT_NULL_YIELDS_NULL), and QUOTENAME of more than 128
 * characters is NULL. Anything else is refused.
 */

import { TdsDoubleSqlError } from './tds-state';
import type { ParamValue } from './tds-wire';

const LITERAL = /^N'((?:[^']|'')*)'/;
const VARIABLE = /^@(\w+)/;
const QUOTENAME = /^QUOTENAME\(@(\w+)\)/;
const REPLACE_QUOTES = /^REPLACE\(@(\w+), N'''', N''''''\)/;
const NCHAR = /^NCHAR\((\d+)\)/;

export function unquoteLiteral(body: string): string {
  return body.replaceAll("''", "'");
}

/** SQL Server's QUOTENAME with the default bracket: NULL over 128 characters. */
export function quotename(value: string | null): string | null {
  if (value === null || [...value].length > 128) return null;
  return `[${value.replaceAll(']', ']]')}]`;
}

/**
 * Evaluates the expression at the start of `text`; returns its value and the rest of the text
 * (from the first character that does not continue the expression).
 */
export function evaluateConcatenation(
  text: string,
  params: Readonly<Record<string, ParamValue>>,
): { value: string | null; rest: string } {
  const variable = (name: string): string | null => {
    if (!(name in params))
      throw new TdsDoubleSqlError(137, `Must declare the scalar variable "@${name}".`, 15, 2);
    const v = params[name];
    return v === null || v === undefined ? null : String(v);
  };
  let rest = text;
  let value: string | null = '';
  for (;;) {
    rest = rest.trimStart();
    const terms: [RegExp, (m: RegExpExecArray) => string | null][] = [
      [LITERAL, (m) => unquoteLiteral(m[1] as string)],
      [QUOTENAME, (m) => quotename(variable(m[1] as string))],
      [REPLACE_QUOTES, (m) => variable(m[1] as string)?.replaceAll("'", "''") ?? null],
      [NCHAR, (m) => String.fromCharCode(Number(m[1]))],
      [VARIABLE, (m) => variable(m[1] as string)],
    ];
    const found = terms.map(([re, fn]) => [re.exec(rest), fn] as const).find(([m]) => m !== null);
    if (!found?.[0]) {
      throw new TdsDoubleSqlError(
        102,
        `Incorrect syntax near '${rest.slice(0, 20)}' (the TDS double evaluates only string concatenations).`,
        15,
      );
    }
    const m = found[0];
    const term = found[1](m);
    value = value === null || term === null ? null : value + term;
    rest = rest.slice(m[0].length).trimStart();
    if (!rest.startsWith('+')) return { value, rest };
    rest = rest.slice(1);
  }
}

const IDENTIFIER = /^\[((?:[^\]]|\]\])*)\]/;

/** A bracket-quoted name at the start of `text`, and what follows it. */
export function readIdentifier(text: string): { name: string; rest: string } | undefined {
  const m = IDENTIFIER.exec(text);
  if (!m) return undefined;
  return { name: (m[1] as string).replaceAll(']]', ']'), rest: text.slice(m[0].length) };
}

export type OptionValue =
  | { kind: 'literal'; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'switch'; value: boolean };

/** `KEY = value` options separated by commas or spaces (PASSWORD = N'..' OLD_PASSWORD = N'..'). */
export function readOptions(text: string): Map<string, OptionValue> {
  const options = new Map<string, OptionValue>();
  let rest = text.trim();
  while (rest !== '') {
    const key = /^([A-Z_]+) = /.exec(rest);
    if (!key) throw new TdsDoubleSqlError(102, `Incorrect syntax near '${rest.slice(0, 20)}'.`, 15);
    rest = rest.slice(key[0].length);
    let value: OptionValue;
    const literal = LITERAL.exec(rest);
    const ident = readIdentifier(rest);
    const onOff = /^(ON|OFF)\b/.exec(rest);
    if (literal) {
      value = { kind: 'literal', value: unquoteLiteral(literal[1] as string) };
      rest = rest.slice(literal[0].length);
    } else if (ident) {
      value = { kind: 'name', value: ident.name };
      rest = ident.rest;
    } else if (onOff) {
      value = { kind: 'switch', value: onOff[1] === 'ON' };
      rest = rest.slice(onOff[0].length);
    } else {
      throw new TdsDoubleSqlError(102, `Incorrect syntax near '${rest.slice(0, 20)}'.`, 15);
    }
    options.set(key[1] as string, value);
    rest = rest.replace(/^,?\s*/, '');
  }
  return options;
}
