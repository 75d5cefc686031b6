/** Helpers for sockkit's own test suites (private, never published). */
export { type Child, startNode } from './processes.js';
export { chromiumArgs, chromiumPath, findChromium, findRedis, missing, redisUrl, requireAll } from './services.js';
