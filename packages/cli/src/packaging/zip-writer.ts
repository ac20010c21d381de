import { deflateRawSync } from 'node:zlib';
import { crc32, ZipFormatError, zipFormat } from '@rotor/secrets-manager-local';

// The reader lives in @rotor/secrets-manager-local (the emulator runs zips), which shares its
// format constants and CRC with this writer.
const {
  CENTRAL_DIRECTORY_HEADER_SIZE,
  CENTRAL_DIRECTORY_SIGNATURE,
  END_OF_CENTRAL_DIRECTORY_SIGNATURE,
  END_OF_CENTRAL_DIRECTORY_SIZE,
  entryNameProblem,
  FLAG_UTF8,
  LOCAL_FILE_HEADER_SIGNATURE,
  LOCAL_FILE_HEADER_SIZE,
  METHOD_DEFLATED,
  METHOD_STORED,
  VERSION_NEEDED,
} = zipFormat;

export interface ZipInputEntry {
  /** Path inside the archive, `/`-separated, relative (e.g. `certs/rds-ca-bundle.pem`). */
  readonly name: string;
  readonly data: Uint8Array | string;
}

// Everything that could vary between two builds of the same input is fixed, so the archive's
// bytes depend only on the entries: 1980-01-01 00:00 (the earliest DOS time), mode 0644 made by
// "Unix", entries in byte order of their names, no extra fields, no comment, deflate level 9.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const VERSION_MADE_BY_UNIX = (3 << 8) | VERSION_NEEDED;
const REGULAR_FILE_0644 = (0o100644 << 16) >>> 0;
const MAX_UINT32 = 0xffffffff;
const MAX_ENTRIES = 0xffff;

interface PreparedEntry {
  readonly name: Buffer;
  readonly method: number;
  readonly crc: number;
  readonly size: number;
  readonly payload: Buffer;
}

/**
 * Builds a ZIP archive reproducibly: the same entries (in any order) always give the same bytes,
 * on any machine with the same zlib. Files only; directories are implied by the names, which is
 * all Lambda and unzip need. No ZIP64: an archive over 4 GiB or 65535 entries is refused.
 */
export function writeZip(entries: readonly ZipInputEntry[]): Buffer {
  if (entries.length > MAX_ENTRIES) throw new ZipFormatError(`too many zip entries (${entries.length})`);
  const seen = new Set<string>();
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  const prepared = sorted.map((entry) => {
    const problem = entryNameProblem(entry.name);
    if (problem !== undefined || entry.name.endsWith('/')) {
      throw new ZipFormatError(`zip entry name ${JSON.stringify(entry.name)} ${problem ?? 'is a directory'}`);
    }
    if (seen.has(entry.name))
      throw new ZipFormatError(`zip entry ${JSON.stringify(entry.name)} appears twice`);
    seen.add(entry.name);
    return prepare(entry);
  });

  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of prepared) {
    const local = localHeader(entry);
    parts.push(local, entry.payload);
    central.push(centralHeader(entry, offset));
    offset += local.length + entry.payload.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  if (offset + centralSize > MAX_UINT32) throw new ZipFormatError('zip archive would exceed 4 GiB');
  return Buffer.concat([...parts, ...central, endOfCentralDirectory(prepared.length, centralSize, offset)]);
}

function prepare(entry: ZipInputEntry): PreparedEntry {
  const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : Buffer.from(entry.data);
  if (data.length > MAX_UINT32) throw new ZipFormatError(`zip entry ${entry.name} exceeds 4 GiB`);
  const deflated = deflateRawSync(data, { level: 9 });
  // Store when deflate does not help (tiny or already compressed files), as zip(1) does.
  const store = deflated.length >= data.length;
  return {
    name: Buffer.from(entry.name, 'utf8'),
    method: store ? METHOD_STORED : METHOD_DEFLATED,
    crc: crc32(data),
    size: data.length,
    payload: store ? data : deflated,
  };
}

function localHeader(entry: PreparedEntry): Buffer {
  const b = Buffer.alloc(LOCAL_FILE_HEADER_SIZE + entry.name.length);
  b.writeUInt32LE(LOCAL_FILE_HEADER_SIGNATURE, 0);
  b.writeUInt16LE(VERSION_NEEDED, 4);
  b.writeUInt16LE(FLAG_UTF8, 6);
  b.writeUInt16LE(entry.method, 8);
  b.writeUInt16LE(DOS_TIME, 10);
  b.writeUInt16LE(DOS_DATE, 12);
  b.writeUInt32LE(entry.crc, 14);
  b.writeUInt32LE(entry.payload.length, 18);
  b.writeUInt32LE(entry.size, 22);
  b.writeUInt16LE(entry.name.length, 26);
  b.writeUInt16LE(0, 28); // no extra field
  entry.name.copy(b, LOCAL_FILE_HEADER_SIZE);
  return b;
}

function centralHeader(entry: PreparedEntry, localOffset: number): Buffer {
  const b = Buffer.alloc(CENTRAL_DIRECTORY_HEADER_SIZE + entry.name.length);
  b.writeUInt32LE(CENTRAL_DIRECTORY_SIGNATURE, 0);
  b.writeUInt16LE(VERSION_MADE_BY_UNIX, 4);
  b.writeUInt16LE(VERSION_NEEDED, 6);
  b.writeUInt16LE(FLAG_UTF8, 8);
  b.writeUInt16LE(entry.method, 10);
  b.writeUInt16LE(DOS_TIME, 12);
  b.writeUInt16LE(DOS_DATE, 14);
  b.writeUInt32LE(entry.crc, 16);
  b.writeUInt32LE(entry.payload.length, 20);
  b.writeUInt32LE(entry.size, 24);
  b.writeUInt16LE(entry.name.length, 28);
  b.writeUInt16LE(0, 30); // extra field length
  b.writeUInt16LE(0, 32); // comment length
  b.writeUInt16LE(0, 34); // disk number
  b.writeUInt16LE(0, 36); // internal attributes
  b.writeUInt32LE(REGULAR_FILE_0644, 38);
  b.writeUInt32LE(localOffset, 42);
  entry.name.copy(b, CENTRAL_DIRECTORY_HEADER_SIZE);
  return b;
}

function endOfCentralDirectory(count: number, centralSize: number, centralOffset: number): Buffer {
  const b = Buffer.alloc(END_OF_CENTRAL_DIRECTORY_SIZE);
  b.writeUInt32LE(END_OF_CENTRAL_DIRECTORY_SIGNATURE, 0);
  b.writeUInt16LE(0, 4); // this disk
  b.writeUInt16LE(0, 6); // disk where the central directory starts
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(centralSize, 12);
  b.writeUInt32LE(centralOffset, 16);
  b.writeUInt16LE(0, 20); // comment length
  return b;
}
