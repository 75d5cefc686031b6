/**
 * The payloads every peer sends, byte for byte the same: a 64-character text echoed with a field
 * added (W1, W2), and a ~200-byte message for fan-out (W3).
 */

/** Exactly 64 characters. */
export const TEXT_64 = 'The quick brown fox jumps over the lazy dog; sockkit bench 0123'.padEnd(64, '.');

const FANOUT_TEXT = 'x'.repeat(160);

/**
 * The input of call number `id`.
 * @param {number} id
 * @returns {{ id: number, text: string }}
 */
export function echoInput(id) {
  return { id, text: TEXT_64 };
}

/**
 * What the server answers: the input with `at` added.
 * @param {{ id: number, text: string }} input
 * @returns {{ id: number, text: string, at: number }}
 */
export function echoOutput(input) {
  return { id: input.id, text: input.text, at: Date.now() };
}

/**
 * True when `output` is the answer to `input`.
 * @param {{ id: number, text: string }} input
 * @param {unknown} output
 */
export function isEcho(input, output) {
  const o = /** @type {{ id?: unknown, text?: unknown, at?: unknown } | null} */ (output);
  return o !== null && o.id === input.id && o.text === input.text && typeof o.at === 'number';
}

/**
 * Wall-clock time in whole microseconds since the epoch. Processes on one machine agree on it to
 * a few µs (Node reads the wall clock and its monotonic clock together at start), which is what
 * lets the load process time a delivery from the server's publish.
 */
export function wallMicros() {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/**
 * Fan-out message number `seq` (about 200 bytes as JSON), stamped with its publish time in µs.
 * @param {number} seq
 * @param {number} [at] the publish stamp, wall-clock µs (default: now)
 * @returns {{ seq: number, at: number, text: string }}
 */
export function fanoutMessage(seq, at = wallMicros()) {
  return { seq, at, text: FANOUT_TEXT };
}

/**
 * Sequence number of a received fan-out message, or -1 when it is not one.
 * @param {unknown} message
 */
export function seqOf(message) {
  const m = /** @type {{ seq?: unknown, text?: unknown } | null} */ (message);
  return m !== null && typeof m === 'object' && typeof m.seq === 'number' && m.text === FANOUT_TEXT
    ? m.seq
    : -1;
}

const CHUNK_TEXT = 'y'.repeat(72);

/**
 * Stream chunk number `seq` (W7): about 100 bytes as JSON.
 * @param {number} seq
 * @returns {{ seq: number, text: string }}
 */
export function streamChunk(seq) {
  return { seq, text: CHUNK_TEXT };
}

/** Chunks a W7 producer yields between two turns of the event loop. */
export const CHUNKS_PER_TURN = 1000;

/**
 * The chunks of a W7 stream, as every peer's server produces them: an async generator that lets
 * the event loop turn every {@link CHUNKS_PER_TURN} chunks, as a real source (a file, a model)
 * would, so an endless stream does not starve the server.
 * @param {number} count
 * @param {AbortSignal} [signal]
 */
export async function* streamChunks(count, signal) {
  for (let seq = 0; seq < count; seq++) {
    if (seq % CHUNKS_PER_TURN === 0 && seq > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) return;
    }
    yield streamChunk(seq);
  }
}
