/**
 * The envelope of every message the document describes, taken from the wire's one home:
 * `@sockkit/core/protocol`'s zod schemas of each kind, converted to JSON Schema. A message of
 * the document is such a frame with its contract-specific fields pinned (the procedure name,
 * the topic) and its payload `d` replaced by the contract's schema, so the envelope here can
 * never drift from what `readClientMessage` and `readServerMessage` accept.
 */
import { clientMessageSchema, type MessageKind, serverMessageSchema } from '@sockkit/core/protocol';
import * as z from 'zod';
import type { JsonSchema } from './json-schema.js';

const kinds = new Map<MessageKind, z.ZodType>();
for (const option of [...clientMessageSchema.options, ...serverMessageSchema.options]) {
  kinds.set(option.shape.t.value, option);
}

const converted = new Map<MessageKind, JsonSchema>();

/** The JSON Schema of one message kind, as the receiver validates it. */
export function kindSchema(kind: MessageKind): JsonSchema {
  let json = converted.get(kind);
  if (json === undefined) {
    // Input side: unknown fields are allowed (peers ignore them; docs/protocol.md, versioning).
    json = z.toJSONSchema(kinds.get(kind) as z.ZodType, { target: 'draft-07', io: 'input' }) as JsonSchema;
    delete json.$schema;
    converted.set(kind, json);
  }
  return structuredClone(json);
}

/** Descriptions of the envelope fields that the zod schemas leave implicit. */
const FIELD_NOTES: Record<string, string> = {
  t: 'The message kind.',
  id: "The request's id, chosen by the sender, unique among its requests in flight on this connection.",
  c: 'The channel key: the topic name, or `topic:` and the params as JSON with sorted keys.',
  e: 'The epoch: which continuous history of the channel the offset belongs to.',
  o: 'The offset of a durable message (absent for volatile ones).',
  m: 'Codec metadata (superjson), present when `d` holds values JSON has no form of.',
};

/**
 * A frame of `kind` with `fields` replacing (or adding) properties: a payload schema for `d`,
 * a `const` for `p` or `topic`. `required` lists fields that become required.
 */
export function frame(
  kind: MessageKind,
  fields: Record<string, JsonSchema> = {},
  required: string[] = [],
): JsonSchema {
  const json = kindSchema(kind);
  const properties = json.properties as Record<string, JsonSchema>;
  for (const [key, note] of Object.entries(FIELD_NOTES)) {
    const property = properties[key];
    if (property !== undefined && property.description === undefined) property.description = note;
  }
  Object.assign(properties, fields);
  if (required.length > 0) {
    json.required = [...new Set([...((json.required as string[] | undefined) ?? []), ...required])];
  }
  return json;
}
