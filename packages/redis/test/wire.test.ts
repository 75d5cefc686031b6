import { describe, expect, it } from 'vitest';
import { channelKeys, checkPrefix, prefixPattern } from '../src/keys.js';
import { defaultReconnectDelay, toSockkitError } from '../src/link.js';
import {
  decodeBody,
  decodeEvent,
  decodeMember,
  encodeBody,
  encodeMember,
  encodeMessageEvent,
  memberConn,
  offsetOfId,
} from '../src/wire.js';

describe('wire formats', () => {
  it.each([
    [{ json: '{"a":1}', meta: undefined }],
    [{ json: '"x"', meta: '{"values":["Date"]}' }],
    [{ json: undefined, meta: undefined }],
    [{ json: '"é ✓ 😀 \\n"', meta: '{"v":"😀"}' }],
    [{ json: '[1,\n2]', meta: '{"a":\n1}' }],
  ])('round-trips body %j', (payload) => {
    expect(decodeBody(encodeBody(payload))).toEqual(payload);
  });

  it('rejects malformed bodies', () => {
    expect(() => decodeBody('x:abc')).toThrow();
    expect(() => decodeBody('9:ab')).toThrow();
    expect(() => decodeBody('abc')).toThrow();
  });

  it('round-trips members, with and without a user', () => {
    const a = { conn: 'c1', user: 'u:1\nx', state: { json: '{"name":"A"}', meta: undefined } };
    const b = { conn: 'c2', user: undefined, state: { json: '1', meta: '{"m":1}' } };
    expect(decodeMember(encodeMember(a))).toEqual(a);
    expect(decodeMember(encodeMember(b))).toEqual(b);
    expect(memberConn(encodeMember(a))).toBe('c1');
  });

  it('reads message and presence events as Lua writes them', () => {
    expect(decodeEvent(`mE1\n7\n${encodeBody({ json: '{"t":1}', meta: undefined })}`)).toEqual({
      kind: 'message',
      epoch: 'E1',
      offset: 7,
      payload: { json: '{"t":1}', meta: undefined },
    });
    expect(decodeEvent(`mE1\n\n${encodeBody({ json: '2', meta: undefined })}`)).toMatchObject({
      offset: undefined,
    });
    const member = { conn: 'c', user: 'u', state: { json: '{}', meta: undefined } };
    const encoded = encodeMember(member);
    expect(decodeEvent(`j12\n${encoded}`)).toEqual({
      kind: 'presence',
      type: 'join',
      member,
      version: 12,
      encoded,
    });
    expect(decodeEvent(`l13\n${encoded}`)).toMatchObject({ type: 'leave', version: 13 });
    expect(decodeEvent(`u14\n${encoded}`)).toMatchObject({ type: 'update' });
    expect(() => decodeEvent('x')).toThrow();
    expect(() => decodeEvent('mE\nnotanumber\n0:')).toThrow();
  });

  it('builds a message event exactly as the publish script does', () => {
    const body = encodeBody({ json: '{"t":1}', meta: '{"m":1}' });
    expect(encodeMessageEvent('E1', 7, body)).toBe(`mE1\n7\n${body}`);
    expect(decodeEvent(encodeMessageEvent('E1', 7, body))).toEqual({
      kind: 'message',
      epoch: 'E1',
      offset: 7,
      payload: { json: '{"t":1}', meta: '{"m":1}' },
    });
  });

  it('reads offsets from stream ids', () => {
    expect(offsetOfId('42-0')).toBe(42);
    expect(() => offsetOfId('x-0')).toThrow();
  });
});

describe('keys', () => {
  it('puts one channel under one hash tag and one prefix', () => {
    const keys = channelKeys('app:', 'doc:{"id":"a"}');
    for (const key of Object.values(keys)) expect(key.startsWith('app:{doc:{"id":"a"}}:')).toBe(true);
    expect(new Set(Object.values(keys)).size).toBe(Object.values(keys).length);
  });

  it('refuses prefixes with braces and escapes glob characters', () => {
    expect(() => checkPrefix('a{b')).toThrow(TypeError);
    expect(prefixPattern('a*b?[c]:')).toBe('a\\*b\\?\\[c\\]:*');
  });
});

describe('link helpers', () => {
  it('backs off with jitter inside a bounded window', () => {
    expect(defaultReconnectDelay(1, () => 0)).toBe(20);
    expect(defaultReconnectDelay(1, () => 0.999)).toBeLessThanOrEqual(70);
    expect(defaultReconnectDelay(50, () => 0.999)).toBeLessThanOrEqual(2020);
  });

  it('maps Redis failures to stable codes', () => {
    expect(toSockkitError(new Error("Stream isn't writeable")).code).toBe('UNAVAILABLE');
    const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
    expect(toSockkitError(reply('LOADING Redis is loading')).code).toBe('UNAVAILABLE');
    expect(toSockkitError(reply('READONLY You cannot write')).code).toBe('UNAVAILABLE');
    expect(toSockkitError(reply('ERR syntax error')).code).toBe('INTERNAL');
  });
});
