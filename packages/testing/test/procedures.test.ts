import { defineContract } from '@sockkit/core';
import { expect, it } from 'vitest';
import * as z from 'zod';
import { procedureSettingsOf } from '../src/procedures.js';

it('lists each server procedure with idempotent or timeout, and only those', () => {
  const contract = defineContract({
    server: {
      plain: { output: z.string() },
      retried: { output: z.string(), idempotent: true },
      slow: { output: z.string(), timeout: 5000 },
      both: { output: z.string(), idempotent: true, timeout: 100 },
      notRetried: { output: z.string(), idempotent: false },
    },
    client: { asked: { output: z.string(), idempotent: true } },
  });
  expect(procedureSettingsOf(contract)).toEqual({
    retried: { idempotent: true },
    slow: { timeout: 5000 },
    both: { idempotent: true, timeout: 100 },
  });
  expect(procedureSettingsOf(defineContract({}))).toEqual({});
});
