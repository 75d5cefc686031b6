/**
 * What a workload module receives and returns. Each `workloads/<id>.mjs` exports
 * `run(ctx): Promise<WorkloadResult>`.
 */

/**
 * @template P
 * @typedef {object} WorkloadContext
 * @property {import('./peer.mjs').PeerClientModule} peer
 * @property {string} url the peer server's client URL
 * @property {string} controlUrl the peer server's control URL
 * @property {P} params counts for this mode
 */

/**
 * @typedef {object} WorkloadResult
 * @property {Record<string, number>} metrics
 * @property {Record<string, number>} checks counts that prove the workload completed correctly
 * @property {boolean} ok
 */

/**
 * Loads a workload module.
 * @param {string} id
 * @returns {Promise<{ run: (ctx: WorkloadContext<Record<string, number>>) => Promise<WorkloadResult> }>}
 */
export function loadWorkload(id) {
  return import(new URL(`../workloads/${id}.mjs`, import.meta.url).href);
}
