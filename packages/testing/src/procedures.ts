/**
 * What a contract says of its procedures beyond their schemas (`idempotent`, `timeout`): what a
 * type-only client's `procedures` option must repeat. Apps' tests hold their list to this.
 */
import type { Contract } from '@sockkit/core';

export type ProcedureSettingsOf = Record<string, { idempotent?: boolean; timeout?: number }>;

/** The settings of each of the contract's server procedures that has any; the others are left out. */
export function procedureSettingsOf(contract: Contract): ProcedureSettingsOf {
  const settings: ProcedureSettingsOf = {};
  for (const [name, def] of Object.entries(contract.server ?? {})) {
    const own = {
      ...(def.idempotent ? { idempotent: true } : {}),
      ...(def.timeout === undefined ? {} : { timeout: def.timeout }),
    };
    if (Object.keys(own).length > 0) settings[name] = own;
  }
  return settings;
}
