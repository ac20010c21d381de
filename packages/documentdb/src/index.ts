export {
  ADMINISTRATIVE_ROLES,
  createCloneCommand,
  type MongoUser,
  ownPasswordCommand,
  parseUsersInfo,
  type RoleRef,
  syncCloneCommand,
  unrotatableReason,
  usersInfoCommand,
} from './documentdb-commands';
export { classifyDocumentDbError, type DocumentDbConnection } from './documentdb-connection';
export { documentDbEngine } from './documentdb-engine';
export { documentdbModule } from './documentdb-module';
export {
  DocumentDbConnectError,
  IamUserError,
  MongoUserNotFoundError,
  OwnPasswordNotAllowedError,
  UnexpectedReplyError,
  UnsupportedMongoUserError,
  UnsupportedServerVersionError,
} from './errors';
