/**
 * @sockkit/inspector: a live page of a sockkit server (connections, topics, presence, calls,
 * errors, the contract) that an app mounts on its own HTTP server behind its own `authorize`.
 *
 * @packageDocumentation
 */
export { Collector, type CollectorLimits, DEFAULT_COLLECTOR_LIMITS } from './collector.js';
export {
  type ChannelRow,
  type ConnectionRow,
  type InspectorContract,
  type InspectorEvent,
  inspectorContract,
  type NodeState,
  type Tick,
} from './contract.js';
export {
  createInspector,
  type InspectedServer,
  type Inspector,
  type InspectorOptions,
  type InspectorRequest,
} from './inspector.js';
