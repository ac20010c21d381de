/**
 * SASLprep (RFC 4013) the way PostgreSQL applies it to SCRAM passwords (src/common/saslprep.c),
 * so a verifier computed here matches the one the server would compute from the same password.
 *
 * PostgreSQL's rules, which differ from a strict SASLprep:
 * - a pure-ASCII password is used unchanged (control characters included);
 * - when preparation fails (prohibited or unassigned characters, bidi rules, nothing left after
 *   mapping), the ORIGINAL password is used as is, rather than refusing it.
 *
 * Limits: NFKC comes from the JavaScript runtime's Unicode version, not the server's; the
 * "unassigned" check (Unicode 3.2 in the RFC and the server) is exact above the BMP but uses the
 * runtime's current Unicode inside it; the bidi categories are the RFC 3454 D.1 table for
 * right-to-left and an approximation (any letter or spacing mark outside the right-to-left blocks)
 * for left-to-right. So a password holding BMP characters assigned after Unicode 3.2, or rare bidi
 * mixes, may be prepared differently than the server would.
 * Rotor's own generated passwords are ASCII, where none of this applies.
 */
export function saslprep(password: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range itself is the test
  if (/^[\x00-\x7f]*$/.test(password)) return password;

  const mapped: number[] = [];
  for (const char of password) {
    const code = char.codePointAt(0) as number;
    if (inRanges(code, NON_ASCII_SPACE)) mapped.push(0x20);
    else if (!inRanges(code, MAPPED_TO_NOTHING)) mapped.push(code);
  }
  if (mapped.length === 0) return password;

  const normalized = String.fromCodePoint(...mapped).normalize('NFKC');
  // The server runs the prohibited, unassigned and bidi checks over the mapped characters before
  // normalisation (saslprep.c reads input_chars there), not over the output as RFC 4013 says.
  const codes = mapped;
  for (const code of codes) {
    if (inRanges(code, PROHIBITED) || isUnassigned(code)) return password;
  }

  if (codes.some((code) => inRanges(code, RAND_AL_CAT))) {
    if (codes.some(isLeftToRight)) return password;
    const first = codes[0] as number;
    const last = codes[codes.length - 1] as number;
    if (!inRanges(first, RAND_AL_CAT) || !inRanges(last, RAND_AL_CAT)) return password;
  }
  return normalized;
}

type Ranges = readonly (readonly [number, number])[];

function inRanges(code: number, ranges: Ranges): boolean {
  return ranges.some(([from, to]) => code >= from && code <= to);
}

const UNASSIGNED_TODAY = /\p{Cn}/u;

/**
 * Unassigned in Unicode 3.2 (RFC 3454 A.1), as the server checks. Above the BMP the 3.2 repertoire
 * is short and listed below, which covers emoji and every later supplementary character; in the BMP
 * the runtime's current Unicode stands in for 3.2.
 */
function isUnassigned(code: number): boolean {
  if (code >= 0x10000) return !inRanges(code, SUPPLEMENTARY_IN_UNICODE_3_2);
  return UNASSIGNED_TODAY.test(String.fromCodePoint(code));
}
const LETTER_OR_SPACING_MARK = /[\p{L}\p{Mc}]/u;

function isLeftToRight(code: number): boolean {
  return LETTER_OR_SPACING_MARK.test(String.fromCodePoint(code)) && !inRanges(code, RIGHT_TO_LEFT_BLOCKS);
}

/** RFC 3454 C.1.2: mapped to SPACE. */
const NON_ASCII_SPACE: Ranges = [
  [0x00a0, 0x00a0],
  [0x1680, 0x1680],
  [0x2000, 0x200b],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
];

/** RFC 3454 B.1: removed. */
const MAPPED_TO_NOTHING: Ranges = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x1806, 0x1806],
  [0x180b, 0x180d],
  [0x200b, 0x200d],
  [0x2060, 0x2060],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];

/** RFC 3454 C.1.2, C.2.1, C.2.2, C.3 to C.9: any of these makes PostgreSQL use the raw password. */
const PROHIBITED: Ranges = [
  ...NON_ASCII_SPACE,
  [0x0000, 0x001f],
  [0x007f, 0x009f],
  [0x0340, 0x0341],
  [0x06dd, 0x06dd],
  [0x070f, 0x070f],
  [0x180e, 0x180e],
  [0x200c, 0x200f],
  [0x2028, 0x202e],
  [0x2060, 0x2063],
  [0x206a, 0x206f],
  [0x2ff0, 0x2ffb],
  [0xd800, 0xdfff],
  [0xe000, 0xf8ff],
  [0xfdd0, 0xfdef],
  [0xfeff, 0xfeff],
  [0xfff9, 0xffff],
  [0x1d173, 0x1d17a],
  [0xe0001, 0xe0001],
  [0xe0020, 0xe007f],
  [0xf0000, 0xffffd],
  [0x100000, 0x10fffd],
  // the last two code points of every plane are non-characters (C.4)
  ...Array.from({ length: 17 }, (_, plane) => [plane * 0x10000 + 0xfffe, plane * 0x10000 + 0xffff] as const),
];

/** Characters above the BMP assigned in Unicode 3.2 (the complement of RFC 3454 A.1 there). */
const SUPPLEMENTARY_IN_UNICODE_3_2: Ranges = [
  [0x10300, 0x1031e],
  [0x10320, 0x10323],
  [0x10330, 0x1034a],
  [0x10400, 0x10425],
  [0x10428, 0x1044d],
  [0x1d000, 0x1d0f5],
  [0x1d100, 0x1d126],
  [0x1d12a, 0x1d1dd],
  [0x1d400, 0x1d454],
  [0x1d456, 0x1d49c],
  [0x1d49e, 0x1d49f],
  [0x1d4a2, 0x1d4a2],
  [0x1d4a5, 0x1d4a6],
  [0x1d4a9, 0x1d4ac],
  [0x1d4ae, 0x1d4b9],
  [0x1d4bb, 0x1d4bb],
  [0x1d4bd, 0x1d4c0],
  [0x1d4c2, 0x1d4c3],
  [0x1d4c5, 0x1d505],
  [0x1d507, 0x1d50a],
  [0x1d50d, 0x1d514],
  [0x1d516, 0x1d51c],
  [0x1d51e, 0x1d539],
  [0x1d53b, 0x1d53e],
  [0x1d540, 0x1d544],
  [0x1d546, 0x1d546],
  [0x1d54a, 0x1d550],
  [0x1d552, 0x1d6a3],
  [0x1d6a8, 0x1d7c9],
  [0x1d7ce, 0x1d7ff],
  [0x20000, 0x2a6d6],
  [0x2f800, 0x2fa1d],
  [0xe0001, 0xe0001],
  [0xe0020, 0xe007f],
  [0xf0000, 0xffffd],
  [0x100000, 0x10fffd],
];

/** RFC 3454 D.1: characters with bidirectional property R or AL. */
const RAND_AL_CAT: Ranges = [
  [0x05be, 0x05be],
  [0x05c0, 0x05c0],
  [0x05c3, 0x05c3],
  [0x05d0, 0x05ea],
  [0x05f0, 0x05f4],
  [0x061b, 0x061b],
  [0x061f, 0x061f],
  [0x0621, 0x063a],
  [0x0640, 0x064a],
  [0x066d, 0x066f],
  [0x0671, 0x06d5],
  [0x06dd, 0x06dd],
  [0x06e5, 0x06e6],
  [0x06fa, 0x06fe],
  [0x0700, 0x070d],
  [0x0710, 0x0710],
  [0x0712, 0x072c],
  [0x0780, 0x07a5],
  [0x07b1, 0x07b1],
  [0x200f, 0x200f],
  [0xfb1d, 0xfb1d],
  [0xfb1f, 0xfb28],
  [0xfb2a, 0xfb36],
  [0xfb38, 0xfb3c],
  [0xfb3e, 0xfb3e],
  [0xfb40, 0xfb41],
  [0xfb43, 0xfb44],
  [0xfb46, 0xfbb1],
  [0xfbd3, 0xfd3d],
  [0xfd50, 0xfd8f],
  [0xfd92, 0xfdc7],
  [0xfdf0, 0xfdfc],
  [0xfe70, 0xfe74],
  [0xfe76, 0xfefc],
];

/** Blocks of right-to-left scripts, whose letters are never left-to-right. */
const RIGHT_TO_LEFT_BLOCKS: Ranges = [
  [0x0590, 0x08ff],
  [0xfb1d, 0xfdff],
  [0xfe70, 0xfeff],
  [0x10800, 0x10fff],
  [0x1e800, 0x1efff],
];
