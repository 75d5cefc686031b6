/**
 * @sockkit/inspector: a live page of a sockkit server (connections, topics, presence, calls,
 * errors, the contract) that an app mounts on its own HTTP server behind its own `authorize`.
 *
 * @packageDocumentation
 */
export type { CollectorLimits } from './collector.js';
export { type InspectorContract, inspectorContract } from './contract.js';
export {
  createInspector,
  type InspectedServer,
  type Inspector,
  type InspectorOptions,
  type InspectorRequest,
} from './inspector.js';
