/**
 * Runs async jobs with a bound on how many are in flight.
 */

/**
 * Calls `job(i)` for i in [0, count) with at most `concurrency` pending at once; resolves with
 * the results in order, rejects on the first failure.
 * @template T
 * @param {number} count
 * @param {number} concurrency
 * @param {(i: number) => Promise<T>} job
 * @returns {Promise<T[]>}
 */
export async function pool(count, concurrency, job) {
  /** @type {T[]} */
  const results = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await job(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
