/**
 * Where and why a text is not JSON, never quoting any of it (a secret string's content is a
 * secret): `line 1, column 96: a trailing comma before '}'`. Undefined when the text is JSON.
 * JSON.parse's own messages are no use here: V8 quotes the text around an unexpected token.
 */
export function jsonSyntaxProblem(text: string): string | undefined {
  let i = 0;
  const fail = (problem: string): never => {
    throw new JsonSyntaxProblem(problem, i);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const expect = (char: string, problem: string) => {
    space();
    if (text[i] !== char) fail(text[i] === undefined ? `the text ends early; ${problem}` : problem);
    i++;
  };
  const string = () => {
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) fail('a string is not closed (no ending ")');
      if (c === '"') break;
      if ((c as string).charCodeAt(0) < 0x20)
        fail('a control character (such as a line break) inside a string; write it as an escape (\\n)');
      if (c === '\\') {
        const e = text[i + 1] ?? '';
        if (
          e === 'u'
            ? !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))
            : !'"\\/bfnrt'.includes(e) || e === ''
        )
          fail(
            'an invalid escape in a string (a backslash must be followed by one of "\\/bfnrt or u and 4 hex digits)',
          );
        i += e === 'u' ? 6 : 2;
      } else i++;
    }
    i++;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        if (text[i] !== '"')
          fail(text[i] === '}' ? "a trailing comma before '}'" : 'expected a property name in double quotes');
        string();
        expect(':', "expected ':' after a property name");
        value();
        space();
        if (text[i] === '}') return void i++;
        expect(',', "expected ',' or '}' after a property value");
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        space();
        if (text[i] === ']') return void i++;
        expect(',', "expected ',' or ']' after an array element");
        space();
        if (text[i] === ']') fail("a trailing comma before ']'");
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const number = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if ((c === '-' || (c !== undefined && c >= '0' && c <= '9')) && number.test(text)) {
      i = number.lastIndex;
      return;
    }
    const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
    if (word) {
      i += word.length;
      return;
    }
    fail(
      c === undefined
        ? 'the text ends where a value is expected'
        : 'expected a value: a string in double quotes, a number, true, false, null, an object or an array',
    );
  };
  try {
    if (text.trim() === '') return 'the text is empty';
    value();
    space();
    if (i < text.length) fail('more text after the end of the JSON value');
    return undefined;
  } catch (error) {
    if (!(error instanceof JsonSyntaxProblem)) throw error;
    const before = text.slice(0, error.index);
    const line = before.split('\n').length;
    const column = error.index - before.lastIndexOf('\n');
    return `line ${line}, column ${column}: ${error.problem}`;
  }
}

class JsonSyntaxProblem extends Error {
  constructor(
    readonly problem: string,
    readonly index: number,
  ) {
    super(problem);
  }
}
