/**
 * Making one client available to a component tree: `app.use(sockkitPlugin(client))` or
 * `provideSockkit(client)` in a parent's setup, then `useSockkitClient()` below it.
 */
import type { ContractDef } from '@sockkit/core';
import { type App, hasInjectionContext, type InjectionKey, inject, provide } from 'vue';
import type { SockkitClientLike } from './client-shape.js';

/** The injection key the client is provided under. */
export const sockkitClientKey: InjectionKey<SockkitClientLike> = Symbol('sockkit-client');

/**
 * A Vue plugin that provides `client` to the whole app.
 *
 * @example
 * ```ts
 * createApp(App).use(sockkitPlugin(client)).mount('#app');
 * ```
 */
export function sockkitPlugin<C extends ContractDef>(
  client: SockkitClientLike<C>,
): { install(app: App): void } {
  return {
    install(app) {
      app.provide(sockkitClientKey, client as unknown as SockkitClientLike);
    },
  };
}

/** Provides `client` to the descendants of the calling component. Call it in `setup`. */
export function provideSockkit<C extends ContractDef>(client: SockkitClientLike<C>): void {
  provide(sockkitClientKey, client as unknown as SockkitClientLike);
}

/**
 * The client provided above the calling component. Throws when none was provided, naming
 * the fix, rather than failing later on `undefined`.
 */
export function useSockkitClient<C extends ContractDef>(): SockkitClientLike<C> {
  const client = hasInjectionContext() ? inject(sockkitClientKey, undefined) : undefined;
  if (client === undefined) {
    throw new Error(
      '@sockkit/vue: no client provided; use app.use(sockkitPlugin(client)) or provideSockkit(client)',
    );
  }
  return client as unknown as SockkitClientLike<C>;
}
