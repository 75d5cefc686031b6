/**
 * A table of values by request id, for ids that grow one by one (each side numbers its requests
 * 1, 2, 3…). Slot `id & mask` of an array holds the value: no allocation per entry and no hash
 * table to shrink and grow again, which a `Map` going from one entry to none and back on every
 * call does (measured: about 200 bytes per call per Map). When two live ids share a slot the
 * array doubles, up to {@link MAX_SLOTS}; past that (one id kept while thousands of later ones
 * come and go) the newcomer goes to a Map.
 */
const MAX_SLOTS = 1024;

export class IdTable<T> {
  private ids: number[] = [];
  private values: (T | undefined)[] = [];
  private mask = -1;
  private count = 0;
  private readonly overflow = new Map<number, T>();

  /** Number of entries. */
  get size(): number {
    return this.count + this.overflow.size;
  }

  get(id: number): T | undefined {
    const slot = id & this.mask;
    if (this.ids[slot] === id) return this.values[slot];
    return this.overflow.size === 0 ? undefined : this.overflow.get(id);
  }

  has(id: number): boolean {
    return this.ids[id & this.mask] === id || (this.overflow.size > 0 && this.overflow.has(id));
  }

  /** Sets the value of `id` (which must be an integer ≥ 0). */
  set(id: number, value: T): void {
    if (this.overflow.size > 0 && this.overflow.has(id)) {
      this.overflow.set(id, value);
      return;
    }
    if (this.mask < 0) this.resize(8);
    let slot = id & this.mask;
    while (this.ids[slot] !== id && this.ids[slot] !== -1) {
      if (this.ids.length >= MAX_SLOTS) {
        this.overflow.set(id, value);
        return;
      }
      this.resize(this.ids.length * 2);
      slot = id & this.mask;
    }
    if (this.ids[slot] === -1) this.count++;
    this.ids[slot] = id;
    this.values[slot] = value;
  }

  /** Removes `id`; answers whether it was there. */
  delete(id: number): boolean {
    const slot = id & this.mask;
    if (this.ids[slot] !== id) return this.overflow.size > 0 && this.overflow.delete(id);
    this.ids[slot] = -1;
    this.values[slot] = undefined;
    this.count--;
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.ids.fill(-1);
    this.values.fill(undefined);
    this.count = 0;
    this.overflow.clear();
  }

  /** Entries by id, lowest first: for increasing ids, the order they were set in. */
  entries(): [number, T][] {
    const out: [number, T][] = [];
    for (let slot = 0; slot < this.ids.length; slot++) {
      const id = this.ids[slot]!;
      if (id !== -1) out.push([id, this.values[slot] as T]);
    }
    for (const entry of this.overflow) out.push(entry);
    return out.sort((a, b) => a[0] - b[0]);
  }

  private resize(length: number): void {
    const { ids, values } = this;
    this.ids = new Array<number>(length).fill(-1);
    this.values = new Array<T | undefined>(length).fill(undefined);
    this.mask = length - 1;
    this.count = 0;
    for (let slot = 0; slot < ids.length; slot++) {
      if (ids[slot] !== -1) this.set(ids[slot]!, values[slot] as T);
    }
  }
}
