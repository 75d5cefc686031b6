/**
 * @sockkit/core/protocol: what implementers of the sockkit protocol use (the server, the
 * client, brokers, other implementations): message schemas, one builder and one reader per
 * message kind, frame handling, and the shared machinery of both sides. Apps import from
 * `@sockkit/core`; this entry is not part of the API apps can rely on across minor versions.
 *
 * @packageDocumentation
 */
export { stableStringify, topicOfChannel } from '../channels.js';
export { type Codec, type EncodedPayload, superjsonMetaIssue } from '../codec.js';
export { errorCodeList, finalCloseError, HEARTBEAT_TIMEOUT_CLOSE, NORMAL_CLOSE } from '../codes.js';
export { isContractName, lookup } from '../contract.js';
export { Emitter, type EventMap } from '../emitter.js';
export { toWireIssues } from '../errors.js';
export { IdTable } from '../id-table.js';
export { decodePayload } from '../payload.js';
export { type GiveUpListener, PendingCalls, type PendingOptions } from '../pending.js';
export { applyPresence, resetPresence } from '../presence.js';
export { validate } from '../validate.js';
export { clampText, codePoints, TRACEPARENT, WIRE_BOUNDS } from './bounds.js';
export {
  type AnnouncedLimits,
  authFrame,
  authokFrame,
  callFrame,
  cancelFrame,
  chunkFrame,
  endFrame,
  errorFrame,
  helloFrame,
  type MemberFields,
  moreFrame,
  msgFrame,
  pingFrame,
  pongFrame,
  presenceFrame,
  psetFrame,
  pubFrame,
  resultFrame,
  type SubscribedFields,
  streamFrame,
  subFrame,
  subscribedFrame,
  unsubFrame,
  unsubscribedFrame,
  welcomeFrame,
} from './build.js';
export {
  batchFrame,
  type FrameReadError,
  peekRequestId,
  readFrame,
  splitBatches,
  utf8Length,
} from './frame.js';
export { CLIENT_KINDS, describeKind, readClientMessage } from './read-client.js';
export { readServerMessage } from './read-server.js';
export {
  type ClientMessage,
  clientMessageSchema,
  type MessageKind,
  memberSchema,
  positionSchema,
  type ServerMessage,
  serverMessageSchema,
  type TopicPosition,
  type WireMember,
  wireErrorSchema,
} from './schemas.js';
export {
  EARLY_BOUNDS,
  EARLY_MESSAGES_VERSION,
  MIN_PROTOCOL_VERSION,
  OFFERED_SUBPROTOCOLS,
  subprotocolFor,
  versionOf,
} from './version.js';
