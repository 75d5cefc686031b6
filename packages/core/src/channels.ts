/**
 * Channel keys: one string per (topic, params) pair, e.g. `doc:{"id":"abc"}`. Keys are built
 * from params after validation with object keys sorted, so equal params always give the
 * same key on every node.
 */

/** The channel key of `topic` with validated `params`. */
export function channelKey(topic: string, params: unknown): string {
  return params === undefined ? topic : `${topic}:${stableStringify(params)}`;
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
