import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../../src/crc32';

export interface TestZipEntry {
  readonly name: string;
  readonly data: string | Buffer;
  /** Deflated unless said otherwise. */
  readonly method?: 'stored' | 'deflated';
  /** General purpose flags (e.g. 0x0008 data descriptor, 0x0001 encrypted). */
  readonly flags?: number;
  /** An extra field in the local header only, which other zip tools write. */
  readonly localExtra?: Buffer;
  /** Unix mode recorded in the central directory (made by Unix); none when absent. */
  readonly mode?: number;
}

/**
 * Assembles a zip archive by hand, independently of the `rotor package` writer, so the reader's
 * tests do not depend on the code that produces the archives it usually reads. Entry names are
 * written as given, unsafe ones included.
 */
export function testZip(entries: readonly TestZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = Buffer.from(entry.data);
    const deflated = entry.method !== 'stored';
    const payload = deflated ? deflateRawSync(data) : data;
    const name = Buffer.from(entry.name, 'utf8');
    const extra = entry.localExtra ?? Buffer.alloc(0);
    const flags = (entry.flags ?? 0) | 0x0800;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(deflated ? 8 : 0, 8);
    // Sizes and CRC left zero here when a data descriptor is announced, as streaming writers do.
    if (((entry.flags ?? 0) & 0x0008) === 0) {
      local.writeUInt32LE(crc32(data), 14);
      local.writeUInt32LE(payload.length, 18);
      local.writeUInt32LE(data.length, 22);
    }
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(entry.mode === undefined ? 20 : (3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(deflated ? 8 : 0, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(payload.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(entry.mode === undefined ? 0 : ((0o100000 | entry.mode) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    const localRecord = Buffer.concat([local, name, extra, payload]);
    locals.push(localRecord);
    centrals.push(Buffer.concat([central, name]));
    offset += localRecord.length;
  }
  const directory = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(directory.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, eocd]);
}
