/** Payloads that were encoded once and kept as text (by a broker, a relay), read back. */
import type { Codec, EncodedPayload } from './codec.js';

/** Decodes a payload kept as text: the JSON of its value and of its codec metadata. */
export function decodePayload(codec: Codec, payload: EncodedPayload): unknown {
  const json = payload.json === undefined ? undefined : JSON.parse(payload.json);
  const meta = payload.meta === undefined ? undefined : JSON.parse(payload.meta);
  return codec.decode(json, meta);
}
