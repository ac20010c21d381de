import { Binary, type Document, Long, ObjectId } from 'bson';
import type { MongoProtocolDouble } from './mongo-protocol-double';
import { ScramConversation, ScramError, type ScramMechanism } from './scram';
import { USER_COMMANDS } from './user-commands';
import { addressAllowed, badValue, CommandError, type UserRecord, unauthorized } from './user-directory';

/** What the double knows about one client connection. */
export interface Session {
  readonly connectionId: number;
  readonly remoteAddress: string;
  readonly conversations: Map<number, { scram: ScramConversation; skipEmptyExchange: boolean }>;
  nextConversationId: number;
  principal?: UserRecord;
}

type Handler = (double: MongoProtocolDouble, session: Session, cmd: Document, db: string) => Document;

const authFailed = () => new CommandError(18, 'AuthenticationFailed', 'Authentication failed.');

const hello: Handler = (double, session, cmd) => {
  const reply: Document = {
    helloOk: true,
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: session.connectionId,
    minWireVersion: 0,
    // DocumentDB 5.0 reports MongoDB 5.0's wire version; the mongod flavour reports 7.0's.
    maxWireVersion: double.options.maxWireVersion ?? (double.documentdb ? 13 : 21),
    readOnly: false,
    ok: 1,
  };
  const asked = cmd.saslSupportedMechs;
  if (typeof asked === 'string' && double.options.scram !== 'sha1-only') {
    const dot = asked.indexOf('.');
    const user = double.directory.find(asked.slice(0, dot), asked.slice(dot + 1));
    if (user) reply.saslSupportedMechs = user.mechanisms.filter((m) => m.startsWith('SCRAM-'));
  }
  return reply;
};

const saslStart: Handler = (double, session, cmd, db) => {
  const mechanism = cmd.mechanism as string;
  const supported = double.directory.supportedMechanisms as readonly string[];
  if (!supported.includes(mechanism)) {
    throw new CommandError(
      334,
      'MechanismUnavailable',
      `Received authentication for mechanism ${mechanism} which is unknown or not enabled`,
    );
  }
  const scram = new ScramConversation(mechanism as ScramMechanism, (name) => {
    const user = double.directory.find(db, name);
    if (!user || (double.documentdb && db === 'admin' && name === 'serviceadmin')) return undefined;
    if (!addressAllowed(user.authenticationRestrictions, session.remoteAddress)) return undefined;
    return user.credentials[mechanism as ScramMechanism];
  });
  let serverFirst: string;
  try {
    serverFirst = scram.start(payloadText(cmd.payload));
  } catch (error) {
    if (error instanceof ScramError) throw authFailed();
    throw error;
  }
  const conversationId = session.nextConversationId++;
  const options = cmd.options as Document | undefined;
  session.conversations.set(conversationId, {
    scram,
    skipEmptyExchange: options?.skipEmptyExchange === true,
  });
  return { conversationId, done: false, payload: new Binary(Buffer.from(serverFirst)), ok: 1 };
};

const saslContinue: Handler = (double, session, cmd, db) => {
  const conversationId = Number(cmd.conversationId);
  const conversation = session.conversations.get(conversationId);
  if (!conversation) throw badValue('No SASL session state found');
  const { scram } = conversation;
  if (scram.finished) {
    session.conversations.delete(conversationId);
    return { conversationId, done: true, payload: new Binary(Buffer.alloc(0)), ok: 1 };
  }
  let serverFinal: string | undefined;
  try {
    serverFinal = scram.finish(payloadText(cmd.payload));
  } catch (error) {
    if (error instanceof ScramError) serverFinal = undefined;
    else throw error;
  }
  if (serverFinal === undefined) {
    session.conversations.delete(conversationId);
    throw authFailed();
  }
  const user = double.directory.find(db, scram.username);
  if (!user) throw authFailed();
  session.principal = user;
  if (conversation.skipEmptyExchange) session.conversations.delete(conversationId);
  return {
    conversationId,
    done: conversation.skipEmptyExchange,
    payload: new Binary(Buffer.from(serverFinal)),
    ok: 1,
  };
};

const connectionStatus: Handler = (_double, session) => ({
  authInfo: {
    authenticatedUsers: session.principal ? [{ user: session.principal.user, db: session.principal.db }] : [],
    authenticatedUserRoles: session.principal?.roles.map((r) => ({ ...r })) ?? [],
  },
  ok: 1,
});

const buildInfo: Handler = (double) => {
  const version = double.documentdb ? '5.0.0' : '7.0.14';
  return { version, versionArray: version.split('.').map(Number).concat(0), ok: 1 };
};

function principalOf(session: Session, command: string): UserRecord {
  if (!session.principal) {
    throw new CommandError(13, 'Unauthorized', `Command ${command} requires authentication`);
  }
  return session.principal;
}

function allowData(
  double: MongoProtocolDouble,
  session: Session,
  action: string,
  db: string,
  command: string,
) {
  const principal = principalOf(session, command);
  if (!double.directory.allows(principal.roles, action, db)) {
    throw unauthorized(`${db} to execute command { ${command} }`);
  }
}

const matches = (doc: Document, filter: Document | undefined) =>
  Object.entries(filter ?? {}).every(([k, v]) => JSON.stringify(doc[k]) === JSON.stringify(v));

const find: Handler = (double, session, cmd, db) => {
  const name = String(cmd.find);
  allowData(double, session, 'find', db, 'find');
  const docs = double.collection(db, name).filter((d) => matches(d, cmd.filter as Document | undefined));
  return { cursor: { firstBatch: docs, id: Long.fromNumber(0), ns: `${db}.${name}` }, ok: 1 };
};

const insert: Handler = (double, session, cmd, db) => {
  allowData(double, session, 'insert', db, 'insert');
  const documents = (cmd.documents as Document[] | undefined) ?? [];
  double.collection(db, String(cmd.insert)).push(...documents.map((d) => ({ _id: new ObjectId(), ...d })));
  return { n: documents.length, ok: 1 };
};

const remove: Handler = (double, session, cmd, db) => {
  allowData(double, session, 'remove', db, 'delete');
  const docs = double.collection(db, String(cmd.delete));
  let n = 0;
  for (const spec of (cmd.deletes as Document[] | undefined) ?? []) {
    for (let i = docs.length - 1; i >= 0; i--) {
      if (matches(docs[i] as Document, spec.q as Document)) {
        docs.splice(i, 1);
        n++;
      }
    }
  }
  return { n, ok: 1 };
};

const drop: Handler = (double, session, cmd, db) => {
  allowData(double, session, 'dropDatabase', db, 'drop');
  double.dropCollection(db, String(cmd.drop));
  return { ok: 1 };
};

const HANDLERS: Readonly<Record<string, Handler>> = {
  hello,
  isMaster: hello,
  ismaster: hello,
  saslStart,
  saslContinue,
  connectionStatus,
  buildInfo,
  buildinfo: buildInfo,
  ping: () => ({ ok: 1 }),
  endSessions: () => ({ ok: 1 }),
  find,
  insert,
  delete: remove,
  drop,
};

/** Runs one command; a failure becomes MongoDB's error reply `{ ok: 0, errmsg, code, codeName }`. */
export function dispatchCommand(double: MongoProtocolDouble, session: Session, cmd: Document): Document {
  const name = Object.keys(cmd)[0] ?? '';
  const db = typeof cmd.$db === 'string' ? cmd.$db : 'admin';
  try {
    const handler = HANDLERS[name];
    if (handler) return handler(double, session, cmd, db);
    const userCommand = USER_COMMANDS[name];
    if (userCommand) {
      const principal = principalOf(session, name);
      return userCommand(
        {
          directory: double.directory,
          principal,
          db,
          protectedUsers: new Set(double.documentdb ? ['serviceadmin'] : []),
        },
        cmd,
      );
    }
    throw new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
  } catch (error) {
    if (error instanceof CommandError) {
      return { ok: 0, errmsg: error.message, code: error.code, codeName: error.codeName };
    }
    return { ok: 0, errmsg: String((error as Error)?.message ?? error), code: 1, codeName: 'InternalError' };
  }
}

/** A Binary payload (SCRAM messages) as text, whatever form bson hands it over in. */
function payloadText(value: unknown): string {
  if (value instanceof Binary) return Buffer.from(value.buffer.subarray(0, value.position)).toString('utf8');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  return '';
}
