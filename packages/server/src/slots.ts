/**
 * Calls and streams share one budget per connection, `maxCallsInFlight`, and one id space
 * (the client's request ids): each table asks the connection before it takes a slot.
 */
import type { WireError } from '@sockkit/core';
import type { ServerRuntime } from './runtime.js';

/** What a table of calls or streams asks before running a new one. */
export interface Slots {
  /** Whether a call or stream with id `id` is still running. */
  has(id: number): boolean;
  /** Whether calls and streams in flight together reached `maxCallsInFlight`. */
  full(): boolean;
}

/** The LIMIT_EXCEEDED a call or stream gets when every slot is taken. */
export function callsLimit(rt: ServerRuntime): WireError {
  const limit = rt.limits.maxCallsInFlight;
  return { code: 'LIMIT_EXCEEDED', message: `more than ${limit} calls in flight`, details: { limit } };
}
