/**
 * @sockkit/asyncapi: a sockkit contract as an AsyncAPI 3.0 document (`toAsyncAPI`), and the
 * `sockkit asyncapi` command that prints it for a contract file.
 *
 * @packageDocumentation
 */
export { type AsyncAPIDocument, type AsyncAPIInfo, toAsyncAPI } from './document.js';
export type { JsonSchema } from './json-schema.js';
