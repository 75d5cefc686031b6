/**
 * @sockkit/core: the contract, its inferred types, the codec, the error type and codes, and
 * the limits shared by `@sockkit/server` and `@sockkit/client`: what an app uses. What only an
 * implementer of the protocol needs (message builders and readers, schemas) is in
 * `@sockkit/core/protocol`.
 *
 * @packageDocumentation
 */
export { channelKey } from './channels.js';
export { type Clock, systemClock, type TimerHandle, unrefTimer } from './clock.js';
export {
  type Codec,
  type EncodedPayload,
  SUPERJSON_DECODE_BUDGET,
  type SuperjsonDecodeBudget,
  superjsonCodec,
} from './codec.js';
export {
  CLOSE_CODES,
  type CloseReason,
  ERROR_CODES,
  type ErrorCode,
  isErrorCode,
} from './codes.js';
export {
  type Contract,
  type ContractDef,
  defineContract,
  type ProcedureDef,
  type StreamDef,
  type TopicDef,
} from './contract.js';
export {
  type ErrorDetails,
  isSockkitError,
  SockkitError,
  type SockkitErrorOptions,
  type WireError,
  type WireIssue,
} from './errors.js';
export type {
  CallArgs,
  Caller,
  CallInput,
  CallOutput,
  ClientProcedures,
  ClientPublishableTopics,
  ClientStreamAnswer,
  ContractSection,
  HandlerInput,
  HandlerOutput,
  Handlers,
  PresenceState,
  PresenceStateInput,
  ServerProcedures,
  ServerStreamSource,
  StreamChunk,
  StreamChunkInput,
  StreamHandlerOutput,
  StreamHandlers,
  StreamOutput,
  Streams,
  TopicMessage,
  TopicMessageInput,
  TopicParams,
  TopicParamsInput,
  TopicPublished,
  TopicPublishInput,
  Topics,
} from './infer.js';
export { DEFAULT_LIMITS, type Limits } from './limits.js';
export { type PresenceEvent, type PresenceMember, presenceByUser } from './presence.js';
export type { TopicPosition } from './protocol/schemas.js';
export { PROTOCOL_VERSION, SUBPROTOCOL } from './protocol/version.js';
