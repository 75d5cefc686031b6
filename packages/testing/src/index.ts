/** Helpers for sockkit's own test suites (private, never published). */
export { ManualClock } from './clock.js';
export { procedureSettingsOf } from './procedures.js';
export { type Child, startNode } from './processes.js';
export { startProxy, type TcpProxy } from './proxy.js';
export {
  chromiumArgs,
  chromiumPath,
  findChromium,
  findRedis,
  missing,
  redisUrl,
  requireAll,
} from './services.js';
