/** Feed without Redis: a fake host whose history reads the test releases by hand. */
import type { TopicPosition } from '@sockkit/core';
import type { BrokerEvent, BrokerMessage, HistoryReply } from '@sockkit/server';
import { describe, expect, it } from 'vitest';
import { Feed, type FeedHost, type GapReport, type Snapshot } from '../src/feed.js';
import { channelKeys } from '../src/keys.js';
import { encodeBody, encodeMember } from '../src/wire.js';

const body = (value: unknown) => encodeBody({ json: JSON.stringify(value), meta: undefined });
const msg = (epoch: string, offset: number | undefined) =>
  `m${epoch}\n${offset ?? ''}\n${body(offset ?? 'v')}`;
const stored = (epoch: string, offset: number): BrokerMessage => ({
  kind: 'message',
  epoch,
  offset,
  payload: { json: JSON.stringify(offset), meta: undefined },
});
const member = (conn: string, name = conn) =>
  encodeMember({ conn, user: undefined, state: { json: `"${name}"`, meta: undefined } });

class Host implements FeedHost {
  readonly delivered: BrokerEvent[] = [];
  readonly gaps: GapReport[] = [];
  readonly reads: { since: TopicPosition; answer: (reply: HistoryReply) => void }[] = [];
  snapshots: { answer: (s: Snapshot) => void }[] = [];
  /** Barriers asked for; the test passes them by hand, as the subscriber's PONG would. */
  barriers: { pass: () => void; fail: (error: Error) => void }[] = [];
  constructor(readonly maxHeld = 100) {}
  deliver(_channel: string, event: BrokerEvent): void {
    this.delivered.push(event);
  }
  history(_keys: unknown, since: TopicPosition): Promise<HistoryReply> {
    return new Promise((answer) => this.reads.push({ since, answer }));
  }
  snapshot(): Promise<Snapshot> {
    return new Promise((answer) => this.snapshots.push({ answer }));
  }
  barrier(): Promise<void> {
    return new Promise((pass, fail) => this.barriers.push({ pass, fail }));
  }
  report(gap: GapReport): void {
    this.gaps.push(gap);
  }
  warn(): void {}
  offsets(): (number | undefined)[] {
    return this.delivered.flatMap((e) => (e.kind === 'message' ? [e.offset] : []));
  }
  presence(): string[] {
    return this.delivered.flatMap((e) => (e.kind === 'presence' ? [`${e.type}:${e.member.conn}`] : []));
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function feed(host: Host, start: TopicPosition = { epoch: 'E', offset: 0 }, members: string[] = []): Feed {
  return new Feed('ch', channelKeys('p:', 'ch'), host, start, { version: 0, members });
}

describe('Feed', () => {
  it('delivers contiguous messages, drops duplicates and fills a gap before newer ones', async () => {
    const host = new Host();
    const f = feed(host);
    f.receive(msg('E', 1));
    f.receive(msg('E', 2));
    f.receive(msg('E', 2));
    f.receive(msg('E', 5));
    f.receive(msg('E', undefined));
    f.receive(msg('E', 6));
    expect(host.offsets()).toEqual([1, 2]);
    expect(host.reads.map((r) => r.since)).toEqual([{ epoch: 'E', offset: 2 }]);
    host.reads[0]!.answer({
      recovered: true,
      position: { epoch: 'E', offset: 6 },
      messages: [3, 4, 5, 6].map((o) => stored('E', o)),
    });
    await tick();
    expect(host.offsets()).toEqual([1, 2, 3, 4, 5, 6, undefined]);
    expect(host.gaps).toEqual([
      {
        channel: 'ch',
        cause: 'gap',
        from: { epoch: 'E', offset: 2 },
        to: { epoch: 'E', offset: 6 },
        recovered: true,
        filled: 4,
      },
    ]);
  });

  it('holds at most maxHeld events during a fill, then reads the rest back again', async () => {
    const host = new Host(3);
    const f = feed(host);
    f.receive(msg('E', 1));
    f.receive(msg('E', 3));
    for (let o = 4; o <= 10; o++) f.receive(msg('E', o));
    host.reads[0]!.answer({
      recovered: true,
      position: { epoch: 'E', offset: 10 },
      messages: [stored('E', 2)],
    });
    await tick();
    // The overflow dropped the held events; a second read fetches them from history.
    expect(host.reads).toHaveLength(2);
    expect(host.reads[1]!.since).toEqual({ epoch: 'E', offset: 2 });
    host.reads[1]!.answer({
      recovered: true,
      position: { epoch: 'E', offset: 10 },
      messages: [3, 4, 5, 6, 7, 8, 9, 10].map((o) => stored('E', o)),
    });
    await tick();
    expect(host.offsets()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(host.gaps.map((g) => g.cause)).toEqual(['gap', 'overflow']);
  });

  it('reports a hole that history no longer covers and carries on live', async () => {
    const host = new Host();
    const f = feed(host);
    f.receive(msg('E', 1));
    f.receive(msg('E', 50));
    f.receive(msg('E', 51));
    host.reads[0]!.answer({ recovered: false, position: { epoch: 'E', offset: 51 } });
    await tick();
    expect(host.offsets()).toEqual([1, 50, 51]);
    expect(host.gaps).toEqual([
      {
        channel: 'ch',
        cause: 'gap',
        from: { epoch: 'E', offset: 1 },
        to: { epoch: 'E', offset: 51 },
        recovered: false,
        filled: 0,
      },
    ]);
  });

  it('on reconnect into a new epoch, reports the loss and delivers the new epoch from its start', async () => {
    const host = new Host();
    const f = feed(host, { epoch: 'E', offset: 7 });
    const recovering = f.recover();
    host.snapshots[0]!.answer({ version: 0, members: [] });
    host.reads[0]!.answer({ recovered: false, position: { epoch: 'F', offset: 2 } });
    await tick();
    expect(host.reads[1]!.since).toEqual({ epoch: 'F', offset: 0 });
    host.reads[1]!.answer({
      recovered: true,
      position: { epoch: 'F', offset: 2 },
      messages: [stored('F', 1), stored('F', 2)],
    });
    await recovering;
    expect(host.delivered.map((e) => e.kind === 'message' && `${e.epoch}${e.offset}`)).toEqual(['F1', 'F2']);
    expect(host.gaps).toEqual([
      {
        channel: 'ch',
        cause: 'reconnect',
        from: { epoch: 'E', offset: 7 },
        to: { epoch: 'F', offset: 2 },
        recovered: false,
        filled: 2,
      },
    ]);
  });

  it('resyncs presence by diff and orders racing events by presence version', async () => {
    const host = new Host();
    const f = feed(host, { epoch: 'E', offset: 0 }, [member('a'), member('b'), member('c')]);
    const recovering = f.recover();
    host.reads[0]!.answer({ recovered: true, position: { epoch: 'E', offset: 0 }, messages: [] });
    // Raced the snapshot: version 5 is already in it, version 7 is not.
    f.receive(`l5\n${member('b')}`);
    f.receive(`j7\n${member('e')}`);
    host.snapshots[0]!.answer({ version: 6, members: [member('a'), member('c', 'C!'), member('d')] });
    await recovering;
    expect(host.presence().sort()).toEqual(['join:d', 'join:e', 'leave:b', 'update:c']);
    // Afterwards events apply directly.
    f.receive(`l8\n${member('a')}`);
    expect(host.presence().at(-1)).toBe('leave:a');
  });

  it('ignores malformed events and everything after close', () => {
    const host = new Host();
    const f = feed(host);
    f.receive('garbage');
    f.receive(msg('E', 1));
    f.close();
    f.receive(msg('E', 2));
    expect(host.offsets()).toEqual([1]);
  });
});

describe('Feed.reach: a read is answered only once live delivery caught up with it', () => {
  /** Whether `promise` has settled, after letting pending callbacks run. */
  async function settled(promise: Promise<unknown>): Promise<boolean> {
    let done = false;
    promise.then(
      () => {
        done = true;
      },
      () => {
        done = true;
      },
    );
    await tick();
    return done;
  }

  it('returns at once when the feed is already there', async () => {
    const host = new Host();
    const f = feed(host);
    f.receive(msg('E', 1));
    f.receive(msg('E', 2));
    await f.reach({ epoch: 'E', offset: 2 });
    await f.reach({ epoch: 'E', offset: 1 });
    expect(host.barriers).toHaveLength(0);
  });

  it('waits for the events still on their way (behind the barrier), then later ones are newer', async () => {
    const host = new Host();
    const f = feed(host);
    f.receive(msg('E', 1));
    const reached = f.reach({ epoch: 'E', offset: 3 });
    expect(await settled(reached)).toBe(false);
    expect(host.barriers).toHaveLength(1);
    f.receive(msg('E', 2));
    f.receive(msg('E', 3));
    expect(await settled(reached)).toBe(false);
    host.barriers[0]!.pass();
    await reached;
    expect(host.offsets()).toEqual([1, 2, 3]);
  });

  it('waits for a fill in progress (the window of an outage) before answering', async () => {
    const host = new Host();
    const f = feed(host);
    f.receive(msg('E', 1));
    const recovering = f.recover();
    host.snapshots[0]!.answer({ version: 0, members: [] });
    const reached = f.reach({ epoch: 'E', offset: 4 });
    expect(await settled(reached)).toBe(false);
    host.reads[0]!.answer({
      recovered: true,
      position: { epoch: 'E', offset: 4 },
      messages: [2, 3, 4].map((o) => stored('E', o)),
    });
    await reached;
    await recovering;
    expect(host.offsets()).toEqual([1, 2, 3, 4]);
    expect(host.barriers).toHaveLength(0);
  });

  it('reads back at once what pub/sub lost, instead of waiting for the next message', async () => {
    const host = new Host();
    const f = feed(host);
    f.receive(msg('E', 1));
    const reached = f.reach({ epoch: 'E', offset: 3 });
    await tick();
    host.barriers[0]!.pass();
    await tick();
    expect(host.reads.map((r) => r.since)).toEqual([{ epoch: 'E', offset: 1 }]);
    expect(await settled(reached)).toBe(false);
    host.reads[0]!.answer({
      recovered: true,
      position: { epoch: 'E', offset: 3 },
      messages: [2, 3].map((o) => stored('E', o)),
    });
    await reached;
    expect(host.offsets()).toEqual([1, 2, 3]);
    expect(host.gaps.map((g) => [g.cause, g.recovered, g.filled])).toEqual([['gap', true, 2]]);
  });

  it('on a fresh feed, takes messages published before the subscription as the reader’s', async () => {
    const host = new Host();
    const f = feed(host, { epoch: 'E', offset: 2 });
    const reached = f.reach({ epoch: 'E', offset: 5 });
    await tick();
    host.barriers[0]!.pass();
    await reached;
    // Nothing delivered, nothing read back: 3..5 predate the subscription.
    expect(host.offsets()).toEqual([]);
    expect(host.reads).toHaveLength(0);
    f.receive(msg('E', 6));
    expect(host.offsets()).toEqual([6]);
  });

  it('does not wait for another epoch, and fails with UNAVAILABLE when the barrier cannot pass', async () => {
    const host = new Host();
    const f = feed(host);
    f.receive(msg('E', 1));
    await f.reach({ epoch: 'F', offset: 9 });
    const reached = f.reach({ epoch: 'E', offset: 2 });
    await tick();
    host.barriers[0]!.fail(Object.assign(new Error('redis unavailable'), { code: 'UNAVAILABLE' }));
    await expect(reached).rejects.toThrow('redis unavailable');
  });

  it('gives up with UNAVAILABLE when delivery never catches up', async () => {
    const host = new Host();
    const f = feed(host);
    f.receive(msg('E', 1));
    const reached = f.reach({ epoch: 'E', offset: 3 });
    reached.catch(() => {});
    for (let round = 0; round < 10 && !(await settled(reached)); round++) {
      host.barriers.at(-1)?.pass();
      await tick();
      // History keeps answering short of the head (as if the fill's read raced a trim).
      host.reads.at(-1)?.answer({ recovered: true, position: { epoch: 'E', offset: 1 }, messages: [] });
      await tick();
    }
    await expect(reached).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
