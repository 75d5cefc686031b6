/** The slots of a table that never held an entry, shared: `set` replaces them before writing. */
const NO_SLOTS: never[] = Object.freeze([]) as never[];

/**
 * A table of values by request id, for ids that grow one by one (each side numbers its requests
 * 1, 2, 3…). Slot `id & mask` of an array holds the value: no allocation per entry and no hash
 * table to shrink and grow again, which a `Map` going from one entry to none and back on every
 * call does (measured: about 150 bytes per call per Map). When two live ids share a slot the
 * array doubles, up to 1,024 slots; past that (one id kept while thousands of later ones come
 * and go) the newcomer goes to a Map. Private `#` fields: minifiers shorten them, and this
 * ships to browsers.
 */
export class IdTable<T> {
  #ids: (number | undefined)[] = NO_SLOTS;
  #values: (T | undefined)[] = NO_SLOTS;
  #count = 0;
  /** Made on first use: most tables never need it (each client and connection has several). */
  #overflow: Map<number, T> | undefined;

  /** Number of entries. */
  get size(): number {
    return this.#count + (this.#overflow?.size ?? 0);
  }

  /** @internal Slots in the array (tests check it stays bounded). */
  get capacity(): number {
    return this.#ids.length;
  }

  /** The value of `id`, if set. */
  get(id: number): T | undefined {
    const slot = id & (this.#ids.length - 1);
    return this.#ids[slot] === id ? this.#values[slot] : this.#overflow?.get(id);
  }

  /** Whether `id` is set. */
  has(id: number): boolean {
    return this.#ids[id & (this.#ids.length - 1)] === id || this.#overflow?.has(id) === true;
  }

  /** Sets the value of `id`, an integer ≥ 0. */
  set(id: number, value: T): void {
    const ids = this.#ids;
    const slot = id & (ids.length - 1);
    const overflow = this.#overflow;
    if (ids[slot] === id || (ids.length > 0 && ids[slot] === undefined && !overflow?.has(id))) {
      if (ids[slot] === undefined) this.#count++;
      ids[slot] = id;
      this.#values[slot] = value;
    } else if (ids.length >= 1024 || overflow?.has(id)) {
      this.#overflow ??= new Map();
      this.#overflow.set(id, value);
    } else {
      const entries = this.size > 0 ? this.entries() : undefined;
      this.#ids = new Array(Math.max(8, ids.length * 2));
      this.#values = new Array(this.#ids.length);
      this.#count = 0;
      this.#overflow = undefined;
      if (entries) for (const [key, old] of entries) this.set(key, old);
      this.set(id, value);
    }
  }

  /** Removes `id`; answers whether it was there. */
  delete(id: number): boolean {
    const slot = id & (this.#ids.length - 1);
    if (this.#ids[slot] !== id) return this.#overflow?.delete(id) === true;
    this.#ids[slot] = this.#values[slot] = undefined;
    this.#count--;
    return true;
  }

  /** Entries by id, lowest first: for increasing ids, the order they were set in. */
  entries(): [number, T][] {
    const out: [number, T][] = this.#overflow ? [...this.#overflow] : [];
    this.#ids.forEach((id, slot) => {
      if (id !== undefined) out.push([id, this.#values[slot] as T]);
    });
    return out.sort((a, b) => a[0] - b[0]);
  }
}
