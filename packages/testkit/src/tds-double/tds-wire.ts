/**
 * TDS framing and the client's messages (MS-TDS 2.2.3, 2.2.6): packets, PRELOGIN, LOGIN7, SQLBatch
 * and RPC request payloads. Only what tedious sends is read; anything else is a protocol error.
 */

export const PACKET = {
  SQL_BATCH: 0x01,
  RPC: 0x03,
  REPLY: 0x04,
  ATTENTION: 0x06,
  LOGIN7: 0x10,
  PRELOGIN: 0x12,
} as const;

const HEADER_LENGTH = 8;
const STATUS_EOM = 0x01;

export interface TdsMessage {
  readonly type: number;
  readonly payload: Buffer;
}

/** Collects packets from the byte stream into whole messages (the last packet has EOM set). */
export class MessageAssembler {
  private pending = Buffer.alloc(0);
  private parts: Buffer[] = [];

  push(chunk: Buffer): TdsMessage[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const messages: TdsMessage[] = [];
    while (this.pending.length >= HEADER_LENGTH) {
      const length = this.pending.readUInt16BE(2);
      if (length < HEADER_LENGTH) throw new Error(`TDS packet length ${length} is shorter than its header`);
      if (this.pending.length < length) break;
      const type = this.pending[0] as number;
      const status = this.pending[1] as number;
      this.parts.push(this.pending.subarray(HEADER_LENGTH, length));
      this.pending = this.pending.subarray(length);
      if (status & STATUS_EOM) {
        messages.push({ type, payload: Buffer.concat(this.parts) });
        this.parts = [];
      }
    }
    return messages;
  }

  /** Bytes received that are not (yet) a whole packet. */
  takeRest(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }
}

/** One message as packets of at most `packetSize` bytes. */
export function encodeMessage(type: number, payload: Buffer, packetSize: number): Buffer {
  const room = packetSize - HEADER_LENGTH;
  const packets: Buffer[] = [];
  let id = 1;
  for (let offset = 0; offset < payload.length || packets.length === 0; offset += room) {
    const body = payload.subarray(offset, offset + room);
    const last = offset + room >= payload.length;
    const header = Buffer.alloc(HEADER_LENGTH);
    header[0] = type;
    header[1] = last ? STATUS_EOM : 0;
    header.writeUInt16BE(HEADER_LENGTH + body.length, 2);
    header[6] = id++ % 256;
    packets.push(header, body);
  }
  return Buffer.concat(packets);
}

export const ENCRYPT = { OFF: 0, ON: 1, NOT_SUP: 2, REQ: 3 } as const;

/** The ENCRYPTION option of a client PRELOGIN (NOT_SUP when absent). */
export function preloginEncryption(payload: Buffer): number {
  let offset = 0;
  while (offset < payload.length && payload[offset] !== 0xff) {
    const token = payload[offset];
    const dataOffset = payload.readUInt16BE(offset + 1);
    if (token === 0x01) return payload[dataOffset] as number;
    offset += 5;
  }
  return ENCRYPT.NOT_SUP;
}

/** The server's PRELOGIN answer: SQL Server 2022's version, the encryption decision, no MARS. */
export function preloginResponse(encryption: number): Buffer {
  const options: [number, Buffer][] = [
    [0x00, Buffer.from([16, 0, 0x0f, 0xa0, 0, 0])],
    [0x01, Buffer.from([encryption])],
    [0x02, Buffer.from([0])],
    [0x03, Buffer.alloc(0)],
    [0x04, Buffer.from([0])],
  ];
  const head = Buffer.alloc(options.length * 5 + 1);
  let dataOffset = head.length;
  const bodies: Buffer[] = [];
  options.forEach(([token, data], i) => {
    head[i * 5] = token;
    head.writeUInt16BE(dataOffset, i * 5 + 1);
    head.writeUInt16BE(data.length, i * 5 + 3);
    dataOffset += data.length;
    bodies.push(data);
  });
  head[options.length * 5] = 0xff;
  return Buffer.concat([head, ...bodies]);
}

export interface Login7 {
  readonly tdsVersion: number;
  readonly packetSize: number;
  readonly userName: string;
  readonly password: string;
  readonly appName: string;
  readonly database: string;
}

/** Reverses the LOGIN7 password obfuscation: XOR 0xA5, then swap the nibbles. */
function deobfuscate(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = (bytes[i] as number) ^ 0xa5;
    out[i] = ((b & 0x0f) << 4) | (b >> 4);
  }
  return out;
}

export function parseLogin7(payload: Buffer): Login7 {
  const field = (at: number, raw = false) => {
    const offset = payload.readUInt16LE(at);
    const chars = payload.readUInt16LE(at + 2);
    const bytes = payload.subarray(offset, offset + chars * 2);
    return (raw ? deobfuscate(bytes) : bytes).toString('utf16le');
  };
  return {
    tdsVersion: payload.readUInt32LE(4),
    packetSize: payload.readUInt32LE(8),
    userName: field(40),
    password: field(44, true),
    appName: field(48),
    database: field(68),
  };
}

/** Skips ALL_HEADERS (a u32 total length that includes itself). */
function skipAllHeaders(payload: Buffer): number {
  return payload.readUInt32LE(0);
}

export function parseSqlBatch(payload: Buffer): string {
  return payload.subarray(skipAllHeaders(payload)).toString('utf16le');
}

export type ParamValue = string | number | boolean | null;

export interface RpcRequest {
  /** A special procedure's id (10 is sp_executesql) or the procedure's name. */
  readonly procedure: number | string;
  readonly params: { readonly name: string; readonly value: ParamValue }[];
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    public at: number,
  ) {}
  u8 = () => this.buf.readUInt8(this.at++);
  u16 = () => {
    const v = this.buf.readUInt16LE(this.at);
    this.at += 2;
    return v;
  };
  u32 = () => {
    const v = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return v;
  };
  bytes = (n: number) => {
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  };
  get done(): boolean {
    return this.at >= this.buf.length;
  }
}

/** A parameter value for the TYPE_INFOs tedious uses here: NVARCHAR (plain or PLP), INTN, BITN. */
function readValue(r: Reader): ParamValue {
  const type = r.u8();
  if (type === 0xe7) {
    const max = r.u16();
    r.bytes(5); // collation
    if (max !== 0xffff) {
      const length = r.u16();
      return length === 0xffff ? null : r.bytes(length).toString('utf16le');
    }
    const total = r.bytes(8);
    if (total.every((b) => b === 0xff)) return null;
    const chunks: Buffer[] = [];
    for (let n = r.u32(); n !== 0; n = r.u32()) chunks.push(r.bytes(n));
    return Buffer.concat(chunks).toString('utf16le');
  }
  if (type === 0x26 || type === 0x68) {
    r.u8(); // declared length
    const length = r.u8();
    if (length === 0) return null;
    const data = r.bytes(length);
    if (type === 0x68) return data[0] === 1;
    return length === 8 ? Number(data.readBigInt64LE(0)) : data.readIntLE(0, length);
  }
  throw new Error(`RPC parameter of TDS type 0x${type.toString(16)} is not supported by the double`);
}

export function parseRpc(payload: Buffer): RpcRequest {
  const r = new Reader(payload, skipAllHeaders(payload));
  const nameLength = r.u16();
  const procedure = nameLength === 0xffff ? r.u16() : r.bytes(nameLength * 2).toString('utf16le');
  r.u16(); // option flags
  const params: { name: string; value: ParamValue }[] = [];
  while (!r.done) {
    const name = r.bytes(r.u8() * 2).toString('utf16le');
    r.u8(); // status flags (output parameters are not used by the engine)
    params.push({ name: name.replace(/^@/, ''), value: readValue(r) });
  }
  return { procedure, params };
}
