// Constants of the ZIP format (PKWARE APPNOTE 6.3) shared by the reader here and the writer in
// @rotor/cli (`rotor package`), which imports them as `zipFormat`.
export const LOCAL_FILE_HEADER_SIGNATURE = 0x04034b50;
export const CENTRAL_DIRECTORY_SIGNATURE = 0x02014b50;
export const END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06054b50;
export const LOCAL_FILE_HEADER_SIZE = 30;
export const CENTRAL_DIRECTORY_HEADER_SIZE = 46;
export const END_OF_CENTRAL_DIRECTORY_SIZE = 22;

export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;
/** General purpose flag bit 11: the entry name is UTF-8. */
export const FLAG_UTF8 = 0x0800;
/** General purpose flag bit 0: the entry is encrypted (never supported here). */
export const FLAG_ENCRYPTED = 0x0001;
/** Version 2.0: the lowest that knows deflate; no ZIP64. */
export const VERSION_NEEDED = 20;

/**
 * Rejects names a careful unzip would refuse or that could escape the target directory:
 * absolute paths, backslashes, `.`/`..` segments, empty segments.
 */
export function entryNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is absolute';
  if (name.includes('\0')) return 'contains a NUL character';
  const segments = name.endsWith('/') ? name.slice(0, -1).split('/') : name.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'has an empty, "." or ".." segment';
  return undefined;
}
