/**
 * The client's namespaces by name (`call.<procedure>`, `subscribe.<topic>`, …), built lazily:
 * the function of a name is made on first use and kept, so the client needs no contract at run
 * time. The server knows the names and refuses unknown ones with a typed error (NOT_FOUND, or
 * FORBIDDEN for a topic clients may not publish to); the types refuse them at compile time.
 *
 * Keys tools probe objects for are never names: symbols, keys a contract name cannot be
 * (`$$typeof`…), and the names defineContract reserves for this reason (`then`, so awaiting a
 * namespace is not a call; `toJSON`; `__…`, such as Vue's `__v_isRef`).
 */
import { isContractName } from '@sockkit/core/protocol';

/** Where a namespace keeps the function that makes a name's entry. */
const MAKE = Symbol();

type Made<F> = Record<string, F> & { [MAKE]: (name: string) => F };

/** One handler for every namespace of every client: a client allocates no closures for it. */
const HANDLER: ProxyHandler<Made<unknown>> = {
  get(target, key) {
    if (typeof key !== 'string' || !isContractName(key)) return undefined;
    // Own keys only: inherited ones (`toString`, `constructor`) are names like any other here.
    if (!Object.hasOwn(target, key)) target[key] = target[MAKE](key);
    return target[key];
  },
};

/** A lazily built namespace: `make(name)` runs once per name, on its first use. */
export function namespace<F>(make: (name: string) => F): Record<string, F> {
  // A plain object, not Object.create(null): V8 gives each null-prototype object a map and a
  // property store of its own (about 230 B per namespace of every client, measured); plain
  // objects with the same names share one. `make` is set after, not as a computed key of the
  // literal, which V8 defines through its runtime; a symbol key is never a name, and not
  // listed by Object.keys.
  const made = {} as Made<F>;
  made[MAKE] = make;
  return new Proxy(made, HANDLER as ProxyHandler<Made<F>>);
}
