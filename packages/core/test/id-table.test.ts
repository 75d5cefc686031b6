import { describe, expect, it } from 'vitest';
import { IdTable } from '../src/id-table.js';

describe('IdTable', () => {
  it('holds increasing ids through many turns of its array, like a Map would', () => {
    const table = new IdTable<string>();
    const model = new Map<number, string>();
    // A window of up to 20 live ids sliding over 10,000 ids, plus an odd pattern of deletes.
    for (let id = 1; id <= 10_000; id++) {
      table.set(id, `v${id}`);
      model.set(id, `v${id}`);
      const old = id - 20 + (id % 7);
      if (old > 0 && model.has(old)) {
        expect(table.delete(old)).toBe(true);
        model.delete(old);
      }
      expect(table.size).toBe(model.size);
    }
    expect(table.entries()).toEqual([...model].sort((a, b) => a[0] - b[0]));
    for (const [id, value] of model) expect(table.get(id)).toBe(value);
  });

  it('answers ids it never held, foreign ones included, as absent', () => {
    const table = new IdTable<number>();
    table.set(3, 3);
    for (const id of [0, 11, 3 + 8, -3, 1.5, 2 ** 40 + 3, Number.NaN]) {
      expect(table.has(id)).toBe(false);
      expect(table.get(id)).toBeUndefined();
      expect(table.delete(id)).toBe(false);
    }
    expect(table.size).toBe(1);
  });

  it('keeps its array bounded when one id stays while many later ones come and go', () => {
    const table = new IdTable<number>();
    table.set(1, 1);
    for (let id = 2; id < 100_000; id++) {
      table.set(id, id);
      expect(table.delete(id)).toBe(true);
    }
    expect(table.get(1)).toBe(1);
    expect(table.size).toBe(1);
    // The array stops doubling at its maximum; colliding ids go to the overflow map.
    expect(table.capacity).toBe(1024);
    table.set(100_001, 5);
    table.set(100_001, 6);
    expect(table.get(100_001)).toBe(6);
    expect(table.entries()).toEqual([
      [1, 1],
      [100_001, 6],
    ]);
    expect(table.delete(100_001)).toBe(true);
    expect(table.delete(1)).toBe(true);
    expect(table.size).toBe(0);
  });
});
