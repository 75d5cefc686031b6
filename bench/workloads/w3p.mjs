/**
 * W3p paced fan-out: W3 at a fixed rate below every peer's capacity (one publish every
 * `intervalMs`, 50k deliveries/s to 1,000 subscribers), each message stamped with its scheduled
 * time: delivery latency when nobody is saturated, which W3 and W3b (as fast as the server
 * goes, so the fastest server builds the longest queue at the subscribers) cannot show.
 */
export { run } from './w3.mjs';
