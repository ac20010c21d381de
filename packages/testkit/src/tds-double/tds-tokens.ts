/**
 * The server's token stream (MS-TDS 2.2.7) as tedious reads it: LOGINACK, ENVCHANGE, INFO, ERROR,
 * COLMETADATA + ROW (nvarchar, int and bit columns), RETURNSTATUS, DONE / DONEPROC / DONEINPROC.
 */

export const SERVER_NAME = 'ROTOR-TDS-DOUBLE';

export type ColumnType = 'nvarchar' | 'int' | 'bit';
export interface Column {
  readonly name: string;
  readonly type: ColumnType;
}
export type CellValue = string | number | boolean | null;

export interface ResultSet {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly CellValue[])[];
}

/** A server message: the number, state and severity class SQL Server gives it. */
export interface ServerMessage {
  readonly number: number;
  readonly state: number;
  readonly severity: number;
  readonly message: string;
}

export const DONE_STATUS = { FINAL: 0x00, MORE: 0x01, ERROR: 0x02, COUNT: 0x10 } as const;
export const DONE_TOKEN = { DONE: 0xfd, DONEPROC: 0xfe, DONEINPROC: 0xff } as const;

/** Latin1_General_CI_AS, the default server collation. */
const COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]);
const NVARCHAR_BYTES = 8000;

const ucs2 = (s: string) => Buffer.from(s, 'utf16le');

function bVarChar(s: string): Buffer {
  return Buffer.concat([Buffer.from([s.length]), ucs2(s)]);
}

function usVarChar(s: string): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16LE(s.length);
  return Buffer.concat([length, ucs2(s)]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** A token with a USHORT length prefix. */
function withLength(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u16(body.length), body]);
}

export class TokenStream {
  private readonly parts: Buffer[] = [];

  loginAck(): this {
    const version = Buffer.from([16, 0, 0x0f, 0xa0]);
    const tds74 = Buffer.from([0x74, 0x00, 0x00, 0x04]);
    this.parts.push(
      withLength(0xad, Buffer.concat([Buffer.from([1]), tds74, bVarChar('Microsoft SQL Server'), version])),
    );
    return this;
  }

  databaseChange(newName: string, oldName: string): this {
    this.parts.push(
      withLength(0xe3, Buffer.concat([Buffer.from([1]), bVarChar(newName), bVarChar(oldName)])),
    );
    return this;
  }

  packetSizeChange(size: number): this {
    this.parts.push(
      withLength(0xe3, Buffer.concat([Buffer.from([4]), bVarChar(String(size)), bVarChar('4096')])),
    );
    return this;
  }

  collationChange(): this {
    const body = Buffer.concat([Buffer.from([7, COLLATION.length]), COLLATION, Buffer.from([0])]);
    this.parts.push(withLength(0xe3, body));
    return this;
  }

  /** ERROR (0xAA), or INFO (0xAB) for severities up to 10. */
  message(m: ServerMessage, procedure = ''): this {
    const body = Buffer.concat([
      u32(m.number),
      Buffer.from([m.state, m.severity]),
      usVarChar(m.message),
      bVarChar(SERVER_NAME),
      bVarChar(procedure),
      u32(1),
    ]);
    this.parts.push(withLength(m.severity > 10 ? 0xaa : 0xab, body));
    return this;
  }

  resultSet(set: ResultSet): this {
    const meta: Buffer[] = [Buffer.from([0x81]), u16(set.columns.length)];
    for (const c of set.columns) {
      meta.push(u32(0), u16(0x0001));
      if (c.type === 'nvarchar') meta.push(Buffer.from([0xe7]), u16(NVARCHAR_BYTES), COLLATION);
      else meta.push(Buffer.from(c.type === 'int' ? [0x26, 4] : [0x68, 1]));
      meta.push(bVarChar(c.name));
    }
    this.parts.push(...meta);
    for (const row of set.rows) {
      this.parts.push(Buffer.from([0xd1]));
      set.columns.forEach((c, i) => {
        this.parts.push(cell(c.type, row[i] ?? null));
      });
    }
    return this;
  }

  returnStatus(value: number): this {
    const b = Buffer.alloc(5);
    b[0] = 0x79;
    b.writeInt32LE(value, 1);
    this.parts.push(b);
    return this;
  }

  done(token: number, status: number, rowCount = 0): this {
    const b = Buffer.alloc(13);
    b[0] = token;
    b.writeUInt16LE(status, 1);
    b.writeUInt16LE(0, 3);
    b.writeBigUInt64LE(BigInt(rowCount), 5);
    this.parts.push(b);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function cell(type: ColumnType, value: CellValue): Buffer {
  if (type === 'nvarchar') {
    if (value === null) return u16(0xffff);
    const data = ucs2(String(value));
    return Buffer.concat([u16(data.length), data]);
  }
  if (value === null) return Buffer.from([0]);
  if (type === 'bit') return Buffer.from([1, value ? 1 : 0]);
  const b = Buffer.alloc(5);
  b[0] = 4;
  b.writeInt32LE(Number(value), 1);
  return b;
}
