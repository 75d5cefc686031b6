/**
 * zod schemas to JSON Schema (draft-07, the base of AsyncAPI's own schema format) with
 * `z.toJSONSchema`, describing the JSON a payload's `d` field holds on the wire.
 *
 * Two things the bare conversion does not do, and this file does:
 * - The default codec (superjson) sends a `Date` as its ISO string, a `BigInt` as a decimal
 *   string, a `Set` as an array and a `Map` as an array of `[key, value]` pairs, with the type
 *   in `m`. Those are what `d` holds, so they are what the schemas say.
 * - A recursive or reused schema comes back with `definitions` and `$ref`s relative to its own
 *   root, which mean nothing inside a larger document. They are moved to
 *   `components.schemas` under names prefixed with the owner's, and every `$ref` is rewritten.
 */
import * as z from 'zod';

/** A JSON Schema object as it appears in the document. */
export type JsonSchema = { [key: string]: unknown };

/** `input`: what a sender writes and the receiver validates; `output`: a value that passed its schema. */
export type SchemaSide = 'input' | 'output';

/** Names of `components.schemas` keys must match this (AsyncAPI 3.0). */
const COMPONENT_NAME = /[^A-Za-z0-9._-]/g;

/** Collects the converted schemas of one document and the components they share. */
export class SchemaSet {
  /** Becomes `components.schemas`. */
  readonly components: Record<string, JsonSchema> = {};

  /**
   * The JSON Schema of `schema` as the wire carries it. `name` (unique in the document) names
   * the components its definitions become; a schema that refers to itself becomes one too,
   * and what is returned is then a `$ref` to it.
   */
  convert(schema: z.ZodType, side: SchemaSide, name: string): JsonSchema {
    const json = z.toJSONSchema(schema, {
      target: 'draft-07',
      io: side,
      unrepresentable: 'any',
      override: ({ zodSchema, jsonSchema }) => superjsonForm(zodSchema, jsonSchema),
    }) as JsonSchema;
    delete json.$schema;
    const definitions = (json.definitions ?? {}) as Record<string, JsonSchema>;
    delete json.definitions;
    const base = name.replace(COMPONENT_NAME, '_');
    const rootName = base;
    const names = new Map(
      Object.keys(definitions).map((key) => [key, `${base}.${key.replace(COMPONENT_NAME, '_')}`]),
    );
    let selfReferenced = false;
    const target = (ref: string): string => {
      if (ref === '#') {
        selfReferenced = true;
        return `#/components/schemas/${rootName}`;
      }
      const key = ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
      const mapped = key === undefined ? undefined : names.get(decodeURIComponent(key));
      return mapped === undefined ? ref : `#/components/schemas/${mapped}`;
    };
    for (const [key, definition] of Object.entries(definitions)) {
      this.components[names.get(key) as string] = rewriteRefs(definition, target);
    }
    const root = rewriteRefs(json, target);
    if (!selfReferenced) return root;
    this.components[rootName] = root;
    return { $ref: `#/components/schemas/${rootName}` };
  }
}

/** What superjson puts in `d` for the types JSON has no form of. */
function superjsonForm(schema: z.core.$ZodType, json: JsonSchema): void {
  switch (schema._zod.def.type) {
    case 'date':
      Object.assign(json, {
        type: 'string',
        format: 'date-time',
        description: 'A Date (ISO 8601; the codec restores it)',
      });
      break;
    case 'bigint':
      Object.assign(json, {
        type: 'string',
        pattern: '^-?[0-9]+$',
        description: 'A BigInt in decimal (the codec restores it)',
      });
      break;
    case 'set':
      Object.assign(json, { type: 'array', description: 'A Set as an array (the codec restores it)' });
      break;
    case 'map':
      Object.assign(json, {
        type: 'array',
        items: { type: 'array', minItems: 2, maxItems: 2 },
        description: 'A Map as [key, value] pairs (the codec restores it)',
      });
      break;
  }
}

/** A deep copy of `value` with every `$ref` string passed through `target`. */
function rewriteRefs(value: JsonSchema, target: (ref: string) => string): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const copy: JsonSchema = {};
    for (const [key, child] of Object.entries(node)) {
      copy[key] = key === '$ref' && typeof child === 'string' ? target(child) : walk(child);
    }
    return copy;
  };
  return walk(value) as JsonSchema;
}
