/**
 * What the contract says of its procedures beyond their schemas, for the browser's client,
 * which has the contract's type only (no zod in the page): the calls safe to re-send after a
 * dropped link. test/procedures.test.ts holds this to the contract.
 */
import type { ProcedureSettings } from '@sockkit/client';
import type { contract } from '../contract.js';

export const procedures = {
  me: { idempotent: true },
  listDocs: { idempotent: true },
  sharing: { idempotent: true },
  listVersions: { idempotent: true },
  getVersion: { idempotent: true },
  openDoc: { idempotent: true },
  pullUpdates: { idempotent: true },
} as const satisfies ProcedureSettings<typeof contract>;
