import { saslprep } from '../../src/saslprep';

describe('saslprep (as PostgreSQL applies it)', () => {
  it('leaves pure ASCII alone, control characters included', () => {
    expect(saslprep('Pa55:w/rd!')).toBe('Pa55:w/rd!');
    expect(saslprep('a\u0007b')).toBe('a\u0007b');
    expect(saslprep('')).toBe('');
  });

  it.each([
    ['a\u00A0b', 'a b', 'non-ASCII space maps to space'],
    ['a\u3000b', 'a b', 'ideographic space maps to space'],
    ['a\u00ADb', 'ab', 'soft hyphen maps to nothing'],
    ['a\uFE0Fb', 'ab', 'variation selector maps to nothing'],
    ['\uFB01x', 'fix', 'NFKC'],
    ['\uFF30\uFF41\uFF53\uFF53', 'Pass', 'NFKC full width'],
    ['e\u0301', '\u00E9', 'NFKC composes'],
    ['\u05E9\u05DC\u05D5\u05DD', '\u05E9\u05DC\u05D5\u05DD', 'right-to-left only'],
  ])('%j becomes %j (%s)', (input, output) => {
    expect(saslprep(input)).toBe(output);
  });

  it.each([
    ['a\u0007\u00E9', 'ASCII control with non-ASCII'],
    ['\u00E9\uE000', 'private use'],
    ['\u00E9\u200E', 'bidi mark'],
    ['a\u05E9', 'left-to-right and right-to-left mixed'],
    ['1\u05E9', 'right-to-left not first'],
    ['\u05E91', 'right-to-left not last'],
    ['\u00AD', 'nothing left after mapping'],
    ['\u{1F110}x', 'assigned after Unicode 3.2 (checked before NFKC, as the server does)'],
    ['\u{1F600}', 'emoji: unassigned in Unicode 3.2'],
  ])('keeps %j unchanged when preparation fails (%s), as the server does', (input) => {
    expect(saslprep(input)).toBe(input);
  });
});
