/**
 * W3b bursty fan-out: W3 with 16 publishes issued together in each event-loop turn (`burst` in
 * lib/config.mjs), where a server that coalesces what one turn sends to a subscriber can show it.
 */
export { run } from './w3.mjs';
