/**
 * Channel keys: one string per (topic, params) pair, e.g. `doc:{"id":"abc"}`. Keys are built
 * from params after validation with object keys sorted, so equal params always give the
 * same key on every node. A key travels in every frame about its channel, so it is bounded
 * (`WIRE_BOUNDS.channel`): params that would make a longer key are refused where they arrive.
 */
import { SockkitError } from './errors.js';
import { codePoints, WIRE_BOUNDS } from './protocol/bounds.js';

/**
 * The channel key of `topic` with validated `params`.
 *
 * @throws SockkitError `BAD_REQUEST` when the key would be longer than 1,024 characters.
 */
export function channelKey(topic: string, params: unknown): string {
  const key = params === undefined ? topic : `${topic}:${stableStringify(params)}`;
  if (key.length > WIRE_BOUNDS.channel && codePoints(key) > WIRE_BOUNDS.channel) {
    throw new SockkitError(
      'BAD_REQUEST',
      `params of '${topic}' are too long: a channel key is at most ${WIRE_BOUNDS.channel} characters`,
      { details: { limit: WIRE_BOUNDS.channel } },
    );
  }
  return key;
}

/** The topic name of a channel key. */
export function topicOfChannel(channel: string): string {
  const colon = channel.indexOf(':');
  return colon === -1 ? channel : channel.slice(0, colon);
}

/** JSON with object keys sorted, recursively. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => stableStringify(item ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    const keys = Object.keys(value).sort();
    const parts: string[] = [];
    for (const key of keys) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${stableStringify(item)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
