/**
 * Property: pushes of arbitrary change sets (edits that fit the document, and whatever else
 * passes the contract's schema) either apply or are refused with a typed error, a refusal
 * leaves the document as it was, and the document on disk always equals the one in memory.
 * With restores mixed in: a restore makes the text that of its version, and the history gives
 * back the text of every version ever reached, replaying less than one snapshot interval.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeSet, Text } from '@codemirror/state';
import { isSockkitError } from '@sockkit/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { updateSchema } from '../src/contract.js';
import { CollabAuthority } from '../src/server/authority.js';
import { History } from '../src/server/history.js';
import { DocStore } from '../src/server/store.js';

const dir = mkdtempSync(join(tmpdir(), 'live-docs-authority-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let runs = 0;

const text = fc.string({ unit: fc.constantFrom('a', 'é', ' ', '\u{1F600}', '\uD83D', '\n'), maxLength: 5 });
/** Change-set JSON of any size: kept lengths and `[deleted, ...lines]`. */
const rawChanges = fc.array(
  fc.oneof(
    fc.nat(12),
    fc.tuple(fc.nat(6), fc.array(text, { maxLength: 3 })).map(([deleted, lines]) => [deleted, ...lines]),
    fc.array(fc.oneof(fc.nat(4), text), { maxLength: 3 }),
  ),
  { maxLength: 5 },
);
/** An edit made to fit the text when the push runs. */
const edit = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), del: fc.nat(3), insert: text });
const update = fc.record({
  clientID: fc.constantFrom('a', 'b', 'c d'),
  change: fc.oneof({ weight: 3, arbitrary: edit }, { weight: 1, arbitrary: rawChanges }),
});
const push = fc.record({
  base: fc.constantFrom(0, 0, 0, -1, 1), // relative to the current version
  updates: fc.array(update, { maxLength: 3 }),
});

type Edit = { at: number; del: number; insert: string };

/** The wire form of `updates` against `text`: edits are made to fit, raw changes go as they are. */
function toWire(text: string, updates: { clientID: string; change: Edit | unknown[] }[]) {
  let length = text.length;
  return updates.map(({ clientID, change }) => {
    if (Array.isArray(change)) return { clientID, changes: change };
    const from = Math.min(length, Math.floor(change.at * (length + 1)));
    const to = Math.min(length, from + change.del);
    const lines = change.insert.split('\n');
    const changes = [
      ...(from > 0 ? [from] : []),
      [to - from, ...lines],
      ...(length > to ? [length - to] : []),
    ];
    length += change.insert.length - (to - from);
    return { clientID, changes };
  });
}

describe('the authority under arbitrary pushes', () => {
  it('applies or refuses with a typed error, and disk matches memory', () => {
    const outcomes = { accepted: 0, rejected: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(push, { minLength: 1, maxLength: 25 }), (pushes) => {
        const path = join(dir, `run-${runs++}.sqlite`);
        const store = new DocStore(path, { synchronous: 'NORMAL' });
        const authority = new CollabAuthority(store, { snapshotEvery: 3 });
        const { id } = store.createDoc('fuzz', 'start');
        try {
          for (const { base, updates } of pushes) {
            const { version, text: before } = authority.open(id);
            // What the server's schema lets through.
            const wire = toWire(before, updates).flatMap((u) => {
              const parsed = updateSchema.safeParse(u);
              return parsed.success ? [parsed.data] : [];
            });
            try {
              const result = authority.push(id, Math.max(0, version + base), wire);
              outcomes[result.accepted ? 'accepted' : 'rejected']++;
              if (!result.accepted) expect(authority.open(id).text).toBe(before);
            } catch (error) {
              outcomes.refused++;
              expect(isSockkitError(error) ? error.code : error).toMatch(
                /^(BAD_REQUEST|CONFLICT|PAYLOAD_TOO_LARGE)$/,
              );
              expect(authority.open(id).text).toBe(before);
            }
          }
          const memory = authority.open(id);
          store.close();
          const cold = new DocStore(path);
          expect(new CollabAuthority(cold).open(id)).toMatchObject({
            version: memory.version,
            text: memory.text,
          });
          cold.close();
        } finally {
          try {
            store.close();
          } catch {
            // closed above
          }
        }
      }),
      { numRuns: 200 },
    );
    // Not vacuous: the pushes reach all three outcomes.
    expect(
      Object.values(outcomes).every((n) => n > 20),
      JSON.stringify(outcomes),
    ).toBe(true);
  }, 120_000);

  it('restores any earlier version and reads back every version, among arbitrary pushes', () => {
    const step = fc.oneof(
      { weight: 3, arbitrary: push.map((p) => ({ kind: 'push' as const, ...p })) },
      {
        weight: 1,
        arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((at) => ({ kind: 'restore' as const, at })),
      },
    );
    let restores = 0;
    let split = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const path = join(dir, `run-${runs++}.sqlite`);
        const store = new DocStore(path, { synchronous: 'NORMAL' });
        // A small insert limit, so that restores are split into several updates.
        const authority = new CollabAuthority(store, { snapshotEvery: 3, limits: { maxInsertChars: 2 } });
        const history = new History(authority);
        const { id } = store.createDoc('fuzz', 'start');
        /** The text at every version, each update of a push or restore applied in turn. */
        const texts = ['start'];
        const record = (since: number, updates: readonly { changes: unknown }[]) => {
          let text = Text.of(texts[since]!.split('\n'));
          updates.forEach((update, i) => {
            text = ChangeSet.fromJSON(update.changes).apply(text);
            texts[since + 1 + i] = text.toString();
          });
          largest = Math.max(largest, updates.length);
        };
        let largest = 1;
        try {
          for (const item of steps) {
            const { version, text: before } = authority.open(id);
            if (item.kind === 'restore') {
              const target = Math.floor(item.at * version);
              const result = history.restore(id, target, 'someone');
              expect(authority.open(id).text).toBe(texts[target]);
              if (result.accepted) {
                restores++;
                if (result.updates.length > 1) split++;
                record(result.since, result.updates);
              }
              expect(texts[authority.open(id).version]).toBe(texts[target]);
              continue;
            }
            const wire = toWire(before, item.updates).flatMap((u) => {
              const parsed = updateSchema.safeParse(u);
              return parsed.success ? [parsed.data] : [];
            });
            try {
              const result = authority.push(id, Math.max(0, version + item.base), wire, {
                author: 'someone',
              });
              if (result.accepted) record(result.since, result.updates);
            } catch {
              // refused: the first property covers how
            }
          }
          expect(texts).toHaveLength(authority.open(id).version + 1);
          for (let v = 0; v < texts.length; v++) {
            const { text, replayed } = history.textAt(id, v);
            expect(text.toString()).toBe(texts[v]);
            expect(replayed).toBeLessThan(3 + largest);
          }
        } finally {
          store.close();
        }
      }),
      {
        numRuns: 300,
        // Deleting the whole text and restoring it: five characters, three updates at this limit.
        examples: [
          [
            [
              { kind: 'push', base: 0, updates: [{ clientID: 'a', change: { at: 0, del: 3, insert: '' } }] },
              { kind: 'push', base: 0, updates: [{ clientID: 'a', change: { at: 0, del: 2, insert: '' } }] },
              { kind: 'restore', at: 0 },
            ],
          ],
        ],
      },
    );
    // Not vacuous: restores happen, and some are split into several updates.
    expect(restores).toBeGreaterThan(20);
    expect(split).toBeGreaterThan(0);
  }, 120_000);
});
