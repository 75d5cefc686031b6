/** The page's procedure settings say exactly what the contract says (`idempotent`, `timeout`). */
import type { ProcedureDef } from '@sockkit/core';
import { expect, it } from 'vitest';
import { contract } from '../src/contract.js';
import { procedures } from '../src/web/procedures.js';

it('the page re-sends exactly the procedures the contract marks idempotent, with its timeouts', () => {
  const fromContract: Record<string, { idempotent?: boolean; timeout?: number }> = {};
  for (const [name, def] of Object.entries(contract.server as Record<string, ProcedureDef>)) {
    const settings = {
      ...(def.idempotent ? { idempotent: true } : {}),
      ...(def.timeout === undefined ? {} : { timeout: def.timeout }),
    };
    if (Object.keys(settings).length > 0) fromContract[name] = settings;
  }
  expect(Object.keys(fromContract).length).toBeGreaterThan(0);
  expect(procedures).toEqual(fromContract);
});
