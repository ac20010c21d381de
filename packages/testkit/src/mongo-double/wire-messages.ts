import { type Document, deserialize, serialize } from 'bson';

// MongoDB wire protocol framing, as much of it as the official driver uses to log in and run
// commands: OP_MSG (2013) both ways, and OP_QUERY (2004) answered by OP_REPLY (1), which drivers
// still use for the legacy `isMaster` handshake. Every message starts with a 16-byte header:
// messageLength, requestID, responseTo, opCode (little-endian int32s).

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;
const HEADER_BYTES = 16;
/** Larger than any command a rotation sends; a bigger frame means a broken or hostile peer. */
export const MAX_MESSAGE_BYTES = 48 * 1024 * 1024;

const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;

/** One command as received: its document (document sequences folded in) and how to answer it. */
export interface WireRequest {
  readonly requestId: number;
  readonly opCode: typeof OP_MSG | typeof OP_QUERY;
  /** The command document. For OP_QUERY, `$db` is set from the namespace. */
  readonly command: Document;
  /** OP_MSG moreToCome: the client expects no reply. */
  readonly noReply: boolean;
}

export class WireFormatError extends Error {
  override name = 'WireFormatError';
}

/** Splits a stream into whole messages; returns the messages and the unconsumed rest. */
export function splitFrames(buffer: Buffer): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = [];
  let offset = 0;
  while (buffer.length - offset >= 4) {
    const length = buffer.readInt32LE(offset);
    if (length < HEADER_BYTES || length > MAX_MESSAGE_BYTES) {
      throw new WireFormatError(`message length ${length} is out of bounds`);
    }
    if (buffer.length - offset < length) break;
    frames.push(buffer.subarray(offset, offset + length));
    offset += length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

export function parseRequest(frame: Buffer): WireRequest {
  const requestId = frame.readInt32LE(4);
  const opCode = frame.readInt32LE(12);
  if (opCode === OP_MSG) return parseOpMsg(frame, requestId);
  if (opCode === OP_QUERY) return parseOpQuery(frame, requestId);
  throw new WireFormatError(`opcode ${opCode} is not supported by this protocol double`);
}

function parseOpMsg(frame: Buffer, requestId: number): WireRequest {
  const flags = frame.readUInt32LE(HEADER_BYTES);
  const end = flags & CHECKSUM_PRESENT ? frame.length - 4 : frame.length;
  let offset = HEADER_BYTES + 4;
  let body: Document | undefined;
  const sequences: Record<string, Document[]> = {};
  while (offset < end) {
    const kind = frame.readUInt8(offset);
    offset += 1;
    if (kind === 0) {
      const size = frame.readInt32LE(offset);
      body = deserialize(frame.subarray(offset, offset + size));
      offset += size;
    } else if (kind === 1) {
      const size = frame.readInt32LE(offset);
      const sectionEnd = offset + size;
      const nameEnd = frame.indexOf(0, offset + 4);
      const identifier = frame.toString('utf8', offset + 4, nameEnd);
      let docOffset = nameEnd + 1;
      const docs: Document[] = [];
      while (docOffset < sectionEnd) {
        const docSize = frame.readInt32LE(docOffset);
        docs.push(deserialize(frame.subarray(docOffset, docOffset + docSize)));
        docOffset += docSize;
      }
      sequences[identifier] = docs;
      offset = sectionEnd;
    } else {
      throw new WireFormatError(`OP_MSG section kind ${kind} is unknown`);
    }
  }
  if (body === undefined) throw new WireFormatError('OP_MSG without a body section');
  return {
    requestId,
    opCode: OP_MSG,
    command: { ...body, ...sequences },
    noReply: (flags & MORE_TO_COME) !== 0,
  };
}

function parseOpQuery(frame: Buffer, requestId: number): WireRequest {
  let offset = HEADER_BYTES + 4; // flags
  const nameEnd = frame.indexOf(0, offset);
  const namespace = frame.toString('utf8', offset, nameEnd);
  offset = nameEnd + 1 + 8; // numberToSkip, numberToReturn
  const size = frame.readInt32LE(offset);
  let query = deserialize(frame.subarray(offset, offset + size));
  // Some clients wrap the command in $query together with read preference.
  if (typeof query.$query === 'object' && query.$query !== null) query = query.$query as Document;
  const db = namespace.endsWith('.$cmd') ? namespace.slice(0, -'.$cmd'.length) : namespace;
  return { requestId, opCode: OP_QUERY, command: { ...query, $db: db }, noReply: false };
}

let nextResponseId = 1;

/** The reply to `request` in the same protocol it came in. */
export function encodeReply(request: WireRequest, reply: Document): Buffer {
  const doc = Buffer.from(serialize(reply));
  const responseId = nextResponseId++;
  if (request.opCode === OP_MSG) {
    const out = Buffer.alloc(HEADER_BYTES + 4 + 1 + doc.length);
    writeHeader(out, responseId, request.requestId, OP_MSG);
    out.writeUInt32LE(0, HEADER_BYTES);
    out.writeUInt8(0, HEADER_BYTES + 4);
    doc.copy(out, HEADER_BYTES + 5);
    return out;
  }
  const out = Buffer.alloc(HEADER_BYTES + 20 + doc.length);
  writeHeader(out, responseId, request.requestId, OP_REPLY);
  out.writeInt32LE(0, HEADER_BYTES); // responseFlags
  out.writeBigInt64LE(0n, HEADER_BYTES + 4); // cursorID
  out.writeInt32LE(0, HEADER_BYTES + 12); // startingFrom
  out.writeInt32LE(1, HEADER_BYTES + 16); // numberReturned
  doc.copy(out, HEADER_BYTES + 20);
  return out;
}

function writeHeader(out: Buffer, requestId: number, responseTo: number, opCode: number): void {
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(requestId, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(opCode, 12);
}
