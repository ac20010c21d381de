import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { crc32 } from './crc32';
import { ZipFormatError } from './errors';
import {
  CENTRAL_DIRECTORY_HEADER_SIZE,
  CENTRAL_DIRECTORY_SIGNATURE,
  END_OF_CENTRAL_DIRECTORY_SIGNATURE,
  END_OF_CENTRAL_DIRECTORY_SIZE,
  entryNameProblem,
  FLAG_ENCRYPTED,
  LOCAL_FILE_HEADER_SIGNATURE,
  LOCAL_FILE_HEADER_SIZE,
  METHOD_DEFLATED,
  METHOD_STORED,
} from './zip-format';

export interface ZipEntry {
  readonly name: string;
  readonly isDirectory: boolean;
  /** Unix permission bits when the archive was made on Unix, else undefined. */
  readonly mode: number | undefined;
  readonly data: Buffer;
}

const MAX_COMMENT = 0xffff;
const HOST_UNIX = 3;

/**
 * Reads every entry of a ZIP archive through its central directory (the authoritative index),
 * inflating and checking each entry's size and CRC. Stored and deflated entries only; encrypted,
 * ZIP64 and multi-disk archives are refused with a ZipFormatError.
 */
export function readZip(archive: Buffer): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(archive);
  const count = archive.readUInt16LE(eocd + 10);
  const centralSize = archive.readUInt32LE(eocd + 12);
  const centralOffset = archive.readUInt32LE(eocd + 16);
  if (archive.readUInt16LE(eocd + 4) !== 0 || archive.readUInt16LE(eocd + 6) !== 0) {
    throw new ZipFormatError('multi-disk zip archives are not supported');
  }
  if (count === 0xffff || centralOffset === 0xffffffff || centralSize === 0xffffffff) {
    throw new ZipFormatError('ZIP64 archives are not supported');
  }
  if (centralOffset + centralSize > eocd)
    throw new ZipFormatError('zip central directory lies outside the file');

  const entries: ZipEntry[] = [];
  let p = centralOffset;
  for (let i = 0; i < count; i++) {
    need(archive, p, CENTRAL_DIRECTORY_HEADER_SIZE, 'central directory header');
    if (archive.readUInt32LE(p) !== CENTRAL_DIRECTORY_SIGNATURE) {
      throw new ZipFormatError(`bad central directory signature at offset ${p}`);
    }
    const madeBy = archive.readUInt16LE(p + 4);
    const flags = archive.readUInt16LE(p + 8);
    const method = archive.readUInt16LE(p + 10);
    const crc = archive.readUInt32LE(p + 16);
    const compressedSize = archive.readUInt32LE(p + 20);
    const size = archive.readUInt32LE(p + 24);
    const nameLength = archive.readUInt16LE(p + 28);
    const extraLength = archive.readUInt16LE(p + 30);
    const commentLength = archive.readUInt16LE(p + 32);
    const externalAttributes = archive.readUInt32LE(p + 38);
    const localOffset = archive.readUInt32LE(p + 42);
    need(archive, p + CENTRAL_DIRECTORY_HEADER_SIZE, nameLength, 'entry name');
    const name = archive.toString(
      'utf8',
      p + CENTRAL_DIRECTORY_HEADER_SIZE,
      p + CENTRAL_DIRECTORY_HEADER_SIZE + nameLength,
    );
    p += CENTRAL_DIRECTORY_HEADER_SIZE + nameLength + extraLength + commentLength;

    if (flags & FLAG_ENCRYPTED) throw new ZipFormatError(`zip entry ${name} is encrypted`);
    const data = entryData(archive, name, localOffset, method, compressedSize);
    if (data.length !== size)
      throw new ZipFormatError(`zip entry ${name}: size ${data.length}, expected ${size}`);
    if (crc32(data) !== crc) throw new ZipFormatError(`zip entry ${name}: CRC mismatch`);
    const mode = madeBy >>> 8 === HOST_UNIX ? (externalAttributes >>> 16) & 0o7777 : undefined;
    entries.push({ name, isDirectory: name.endsWith('/'), mode: mode || undefined, data });
  }
  return entries;
}

/**
 * Unpacks an archive into `directory` (created if missing). Refuses entry names that would land
 * outside it ("zip slip"). Files get their Unix mode when the archive recorded one, else 0644.
 */
export function unzipToDirectory(archive: Buffer, directory: string): ZipEntry[] {
  const root = resolve(directory);
  const entries = readZip(archive);
  mkdirSync(root, { recursive: true });
  for (const entry of entries) {
    const problem = entryNameProblem(entry.name);
    const target = resolve(join(root, entry.name));
    if (problem !== undefined || !(target + sep).startsWith(root + sep)) {
      throw new ZipFormatError(
        `refusing zip entry ${JSON.stringify(entry.name)}: ${problem ?? 'escapes the target'}`,
      );
    }
    if (entry.isDirectory) {
      mkdirSync(target, { recursive: true });
    } else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, entry.data, { mode: (entry.mode ?? 0o644) & 0o777 });
    }
  }
  return entries;
}

function findEndOfCentralDirectory(archive: Buffer): number {
  const lowest = Math.max(0, archive.length - END_OF_CENTRAL_DIRECTORY_SIZE - MAX_COMMENT);
  for (let p = archive.length - END_OF_CENTRAL_DIRECTORY_SIZE; p >= lowest; p--) {
    if (
      archive.readUInt32LE(p) === END_OF_CENTRAL_DIRECTORY_SIGNATURE &&
      p + END_OF_CENTRAL_DIRECTORY_SIZE + archive.readUInt16LE(p + 20) === archive.length
    ) {
      return p;
    }
  }
  throw new ZipFormatError('not a zip archive (no end of central directory record)');
}

function entryData(
  archive: Buffer,
  name: string,
  offset: number,
  method: number,
  compressedSize: number,
): Buffer {
  need(archive, offset, LOCAL_FILE_HEADER_SIZE, `local header of ${name}`);
  if (archive.readUInt32LE(offset) !== LOCAL_FILE_HEADER_SIGNATURE) {
    throw new ZipFormatError(`zip entry ${name}: bad local header signature`);
  }
  // The local header's own name and extra lengths may differ from the central directory's.
  const start =
    offset + LOCAL_FILE_HEADER_SIZE + archive.readUInt16LE(offset + 26) + archive.readUInt16LE(offset + 28);
  need(archive, start, compressedSize, `data of ${name}`);
  const raw = archive.subarray(start, start + compressedSize);
  if (method === METHOD_STORED) return Buffer.from(raw);
  if (method === METHOD_DEFLATED) {
    try {
      return inflateRawSync(raw);
    } catch (error) {
      throw new ZipFormatError(`zip entry ${name} does not inflate`, { cause: error });
    }
  }
  throw new ZipFormatError(`zip entry ${name} uses unsupported compression method ${method}`);
}

function need(archive: Buffer, offset: number, length: number, what: string): void {
  if (offset + length > archive.length) throw new ZipFormatError(`zip archive truncated in ${what}`);
}
