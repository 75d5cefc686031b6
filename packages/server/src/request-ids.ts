/**
 * Which id an error about a client message may carry. Requests (and kinds this server does not
 * know, likely requests of a newer client) are answered by id, so the caller fails fast; a
 * `result`, `error`, `cancel` or `pong` carries an id of the server's own, and an error with
 * that id would fail the wrong request on the client.
 */
import { peekRequestId, readFrame } from '@sockkit/core/protocol';

const ANSWER_KINDS: ReadonlySet<unknown> = new Set(['result', 'error', 'cancel', 'pong']);

/** The request id of a raw message, or undefined when it has none or answers the server. */
export function requestIdOf(raw: unknown): number | undefined {
  if (typeof raw !== 'object' || raw === null || ANSWER_KINDS.has((raw as { t?: unknown }).t))
    return undefined;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

/**
 * The request ids in a frame too large to accept: every request of a batch (the frame is
 * parsed, within ws's `maxFrameBytes`), or, for a single message, the id read from its first
 * bytes without parsing it. One undefined entry when none can be read: the error then goes
 * without an id.
 */
export function oversizedRequestIds(text: string): (number | undefined)[] {
  let start = 0;
  while (start < text.length && text.charCodeAt(start) <= 0x20) start++;
  if (text[start] !== '[') return [peekRequestId(text)];
  const messages = readFrame(text);
  if (typeof messages === 'string') return [undefined];
  const ids = messages.map(requestIdOf).filter((id) => id !== undefined);
  return ids.length > 0 ? ids : [undefined];
}
