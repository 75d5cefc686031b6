import { describe, expect, it } from 'vitest';
import { channelKey, topicOfChannel } from '../src/channels.js';
import { clientMessageSchema } from '../src/client-envelope.js';
import { superjsonCodec } from '../src/codec.js';
import { serverMessageSchema } from '../src/envelope.js';
import {
  batchFrame,
  callFrame,
  errorFrame,
  messageFrame,
  peekCallId,
  readFrame,
  resultFrame,
} from '../src/frames.js';

describe('frames', () => {
  it('builds frames that the envelope schemas accept', () => {
    const payload = superjsonCodec.encode({ when: new Date(0) });
    const call = JSON.parse(callFrame(1, 'echo', payload));
    expect(clientMessageSchema.parse(call)).toMatchObject({ t: 'call', id: 1, p: 'echo' });
    expect(serverMessageSchema.parse(JSON.parse(resultFrame(2, payload)))).toMatchObject({
      t: 'result',
      id: 2,
    });
    expect(
      serverMessageSchema.parse(JSON.parse(errorFrame(3, { code: 'TIMEOUT', message: 'slow' }))),
    ).toMatchObject({ t: 'error' });
    const msg = JSON.parse(messageFrame('"news"', '"e1"', 7, payload));
    expect(serverMessageSchema.parse(msg)).toMatchObject({ t: 'msg', c: 'news', e: 'e1', o: 7 });
  });

  it('reads single messages, batches, and rejects the rest', () => {
    expect(readFrame('{"t":"ping"}')).toEqual([{ t: 'ping' }]);
    expect(readFrame(batchFrame(['{"t":"ping"}', '{"t":"pong"}']))).toEqual([{ t: 'ping' }, { t: 'pong' }]);
    expect(readFrame('{')).toBe('json');
    expect(readFrame('"str"')).toBe('shape');
    expect(readFrame('[]')).toBe('shape');
  });

  it('peeks the call id of a frame too large to parse', () => {
    expect(peekCallId(`{"t":"call","id":42,"p":"x","d":"${'a'.repeat(10_000)}`)).toBe(42);
    expect(peekCallId('{"t":"msg","c":"x"}')).toBeUndefined();
  });

  it('rejects envelope fields of the wrong type', () => {
    expect(clientMessageSchema.safeParse({ t: 'call', id: -1, p: 'x' }).success).toBe(false);
    expect(clientMessageSchema.safeParse({ t: 'call', id: 1.5, p: 'x' }).success).toBe(false);
    expect(clientMessageSchema.safeParse({ t: 'call', id: 1, p: '' }).success).toBe(false);
    expect(clientMessageSchema.safeParse({ t: 'welcome' }).success).toBe(false);
  });
});

describe('channel keys', () => {
  it('are stable whatever the key order of params', () => {
    expect(channelKey('doc', { id: 'a', v: 1 })).toBe(channelKey('doc', { v: 1, id: 'a' }));
    expect(channelKey('doc', { id: 'a' })).toBe('doc:{"id":"a"}');
    expect(channelKey('news', undefined)).toBe('news');
    expect(topicOfChannel('doc:{"id":"a:b"}')).toBe('doc');
  });
});
