import { jsonSyntaxProblem } from '../../src/json-syntax';
import { parseSecretJson } from '../../src/secret-value';

describe('jsonSyntaxProblem', () => {
  it.each([
    ['a trailing comma', '{"password": "hunter2",}', "line 1, column 24: a trailing comma before '}'"],
    [
      'an unquoted value',
      '{"password": hunter2}',
      'line 1, column 14: expected a value: a string in double quotes',
    ],
    [
      'single quotes',
      "{'password': 'hunter2'}",
      'line 1, column 2: expected a property name in double quotes',
    ],
    ['a missing colon', '{"password" "hunter2"}', "line 1, column 13: expected ':' after a property name"],
    [
      'a cut-off object',
      '{"password": "hunter2"',
      "the text ends early; expected ',' or '}' after a property value",
    ],
    ['an unclosed string', '{"password": "hunter2', 'a string is not closed'],
    ['a line break in a string', '{\n"password": "hun\nter2"}', 'line 2, column 17: a control character'],
    ['a bad escape', '{"password": "hun\\ter\\q"}', 'line 1, column 22: an invalid escape'],
    [
      'text after the object',
      '{"password": "hunter2"} hunter2',
      'line 1, column 25: more text after the end',
    ],
    ['a trailing comma in an array', '["hunter2",]', "line 1, column 12: a trailing comma before ']'"],
    ['nothing', '  ', 'the text is empty'],
  ])('locates %s without quoting the text', (_name, text, problem) => {
    const found = jsonSyntaxProblem(text);
    expect(() => JSON.parse(text)).toThrow();
    expect(found).toContain(problem);
    expect(found).not.toContain('hunter2');
  });

  it.each([
    '{"a": [1, -2.5e3, true, false, null, {}], "b": "\\u00e9\\n\\"", "c": {"d": []}}',
    ' 42 ',
    '"text"',
  ])('finds nothing wrong with valid JSON %s', (text) => {
    expect(jsonSyntaxProblem(text)).toBeUndefined();
  });
});

describe('parseSecretJson', () => {
  const parse = (text: string | undefined) => () =>
    parseSecretJson(text, 'AWSCURRENT', { secretId: 'app/db' });

  it('names where the JSON breaks, never the content', () => {
    expect(parse('{"password": "hunter2",}')).toThrow(
      "AWSCURRENT: SecretString is not valid JSON: line 1, column 24: a trailing comma before '}'",
    );
  });

  it('says what the JSON is when it is not an object', () => {
    expect(parse('["hunter2"]')).toThrow('AWSCURRENT: SecretString must be a JSON object, not an array');
    expect(parse('"hunter2"')).toThrow('must be a JSON object, not a string');
  });

  it('refuses a binary secret', () => {
    expect(parse(undefined)).toThrow('has no SecretString');
  });
});
