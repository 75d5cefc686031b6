/** Helpers for composables tested against a real client: a component scope, and waiting. */
import type { ContractDef } from '@sockkit/core';
import { createApp, effectScope } from 'vue';
import { type SockkitClientLike, sockkitPlugin } from '../src/index.js';

/** Runs `fn` in a scope of an app (one "component") that provides `client`. */
export function inApp<T>(client: SockkitClientLike<ContractDef>, fn: () => T): { result: T; stop(): void } {
  const app = createApp({});
  app.use(sockkitPlugin(client));
  const scope = effectScope();
  const result = app.runWithContext(() => scope.run(fn)) as T;
  return { result, stop: () => scope.stop() };
}

/** Waits until `check` holds, polling every 10 ms for up to 4 s. */
export async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
