import { describe, expect, it } from 'vitest';
import type { BrokerMessage } from '../src/broker.js';
import { ChannelLog, HistoryStore } from '../src/memory-history.js';

const message = (offset: number): BrokerMessage => ({
  kind: 'message',
  epoch: 'E',
  offset,
  payload: { json: String(offset % 10), meta: undefined },
});

function store(bounds: Partial<ConstructorParameters<typeof HistoryStore>[0]> = {}) {
  const emptied: string[] = [];
  const history = new HistoryStore(
    { perChannel: 1000, ttlMs: 1000, totalMessages: 1000, totalBytes: 1_000_000, ...bounds },
    (log) => emptied.push(log.channel),
  );
  return { history, emptied };
}

describe('HistoryStore', () => {
  it('keeps its node queue within twice what it keeps when one channel trims itself by size', () => {
    const { history } = store({ perChannel: 10 });
    const log = new ChannelLog('busy');
    let most = 0;
    for (let offset = 1; offset <= 50_000; offset++) {
      history.append(log, message(offset), 0);
      most = Math.max(most, history.queued);
    }
    expect(history.messages).toBe(10);
    expect(history.bytes).toBe(10);
    expect(log.first).toBe(49_991);
    // Compaction happens once gone entries pass 1,024 and outnumber the kept ones.
    expect(most).toBeLessThanOrEqual(2 * 10 + 1_025);
    expect(history.read(log, 49_995, 100)?.map((m) => m.offset)).toEqual([
      49_996, 49_997, 49_998, 49_999, 50_000,
    ]);
  });

  it('ages out the oldest across channels and says when a log is empty', () => {
    const { history, emptied } = store({ ttlMs: 100 });
    const a = new ChannelLog('a');
    const b = new ChannelLog('b');
    history.append(a, message(1), 0);
    history.append(b, message(1), 50);
    history.append(a, message(2), 60);
    history.expire(100);
    expect([a.size, b.size, emptied]).toEqual([2, 1, []]);
    history.expire(101);
    expect([a.first, b.size, emptied]).toEqual([2, 1, []]);
    history.expire(155);
    expect([a.first, b.size, emptied]).toEqual([2, 0, ['b']]);
    history.expire(1_000);
    expect([a.size, emptied, history.messages, history.bytes, history.queued]).toEqual([
      0,
      ['b', 'a'],
      0,
      0,
      0,
    ]);
  });

  it('reads a log only while it still holds the message right after `since`', () => {
    const { history } = store({ perChannel: 3 });
    const log = new ChannelLog('a');
    for (let offset = 1; offset <= 5; offset++) history.append(log, message(offset), 0);
    expect(history.read(log, 1, 10)).toBeUndefined();
    expect(history.read(log, 2, 10)?.map((m) => m.offset)).toEqual([3, 4, 5]);
    expect(history.read(log, 2, 2)?.map((m) => m.offset)).toEqual([3, 4]);
    expect(history.read(log, 2, 0)).toEqual([]);
  });
});
