/**
 * @sockkit/core: the contract, the wire protocol, the codec and the error type shared by
 * `@sockkit/server` and `@sockkit/client`.
 *
 * @packageDocumentation
 */
export { channelKey, stableStringify, topicOfChannel } from './channels.js';
export {
  type ClientMessage,
  clientMessageSchema,
  type MessageKind,
  parseClientMessage,
} from './client-envelope.js';
export { type Clock, systemClock, type TimerHandle, unrefTimer } from './clock.js';
export {
  type Codec,
  type EncodedPayload,
  SUPERJSON_DECODE_BUDGET,
  type SuperjsonDecodeBudget,
  superjsonCodec,
  superjsonMetaIssue,
} from './codec.js';
export {
  CLOSE_CODES,
  type CloseReason,
  ERROR_CODES,
  type ErrorCode,
  errorCodeList,
  isErrorCode,
  shouldReconnect,
} from './codes.js';
export {
  type Contract,
  type ContractDef,
  defineContract,
  lookup,
  type ProcedureDef,
  type TopicDef,
} from './contract.js';
export { Emitter, type EventMap } from './emitter.js';
export {
  memberSchema,
  parseServerMessage,
  positionSchema,
  type ServerMessage,
  serverMessageSchema,
  type TopicPosition,
  type WireMember,
  wireErrorSchema,
} from './envelope.js';
export {
  type ErrorDetails,
  isSockkitError,
  SockkitError,
  type SockkitErrorOptions,
  toWireIssues,
  type WireError,
  type WireIssue,
} from './errors.js';
export {
  batchFrame,
  callFrame,
  errorFrame,
  type FrameReadError,
  messageFrame,
  payloadFields,
  peekCallId,
  readFrame,
  resultFrame,
} from './frames.js';
export type {
  CallArgs,
  Caller,
  CallInput,
  CallOutput,
  ClientProcedures,
  ClientPublishableTopics,
  ContractSection,
  HandlerInput,
  HandlerOutput,
  Handlers,
  PresenceState,
  PresenceStateInput,
  ServerProcedures,
  TopicMessage,
  TopicMessageInput,
  TopicParams,
  TopicParamsInput,
  Topics,
} from './infer.js';
export { DEFAULT_LIMITS, type Limits } from './limits.js';
export { PendingCalls, type PendingOptions } from './pending.js';
export {
  applyPresence,
  type PresenceEvent,
  type PresenceMember,
  presenceByUser,
  resetPresence,
} from './presence.js';
export { PROTOCOL_VERSION, SUBPROTOCOL, subprotocolFor, versionOf } from './protocol.js';
export { validate } from './validate.js';
