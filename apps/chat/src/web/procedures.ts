/**
 * What the contract says of its procedures beyond their schemas, for the page's client, which
 * has the contract's type only (no zod in the page): the calls safe to re-send after a dropped
 * link. test/procedures.test.ts holds this to the contract.
 */
import type { ProcedureSettings } from '@sockkit/client';
import type { ChatContract } from '../contract.js';

export const procedures = {
  me: { idempotent: true },
  rooms: { idempotent: true },
  room: { idempotent: true },
  history: { idempotent: true },
  changes: { idempotent: true },
  send: { idempotent: true },
  edit: { idempotent: true },
  remove: { idempotent: true },
  markRead: { idempotent: true },
} as const satisfies ProcedureSettings<ChatContract>;
