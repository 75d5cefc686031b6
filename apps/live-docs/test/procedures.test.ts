/** The browser's procedure settings say exactly what the contract says (`idempotent`, `timeout`). */
import { procedureSettingsOf } from '@sockkit/testing';
import { expect, it } from 'vitest';
import { contract } from '../src/contract.js';
import { procedures } from '../src/web/procedures.js';

it('the web client re-sends exactly the procedures the contract marks idempotent, with its timeouts', () => {
  const fromContract = procedureSettingsOf(contract);
  expect(Object.keys(fromContract).length).toBeGreaterThan(0);
  expect(procedures).toEqual(fromContract);
});
