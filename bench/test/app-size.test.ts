/**
 * What the chat-like app in app-size/ ships, from a real Vite production build (see
 * app-size.mjs): with the contract's type alone there is no zod and no contract module in the
 * bundle, sockkit's share stays under the guard (the 10 kB budget is printed against), a
 * calls-only app leaves subscriptions and call serving out, and only an app given the streams
 * part ships streams. Needs the packages built (turbo's
 * `test` depends on `^build`).
 */
import { describe, expect, it } from 'vitest';
import { measureParts } from '../app-parts.mjs';
import { APP_BUDGET_BYTES, APP_GUARD_BYTES, buildApp, sockkitShare } from '../app-size.mjs';

describe('app size (Vite production build)', () => {
  for (const entry of ['chat-vue.ts', 'chat.ts']) {
    it(`${entry}: type-only ships no zod and no contract; sockkit's share within ${APP_GUARD_BYTES} B`, async () => {
      const { sizes, code } = await buildApp(entry);
      expect(sizes.zod ?? 0).toBe(0);
      expect(sizes.contract ?? 0).toBe(0);
      expect(Object.values(code).join('')).not.toContain('$ZodType');
      const share = sockkitShare(sizes);
      const verdict = share <= APP_BUDGET_BYTES ? 'within' : 'OVER';
      console.log(
        `${entry}: sockkit share ${share} B gzipped (${JSON.stringify(sizes)}): ${verdict} the ${APP_BUDGET_BYTES} B budget`,
      );
      expect(share).toBeLessThanOrEqual(APP_GUARD_BYTES);
    });
  }

  it('the contract at run time is what brings zod in (the measurement sees it)', async () => {
    const { sizes } = await buildApp('chat-contract.ts');
    expect(sizes.zod).toBeGreaterThan(10_000);
    expect(sizes.contract).toBeGreaterThan(0);
  });

  it('streams ship only with the streams part', async () => {
    const chat = await buildApp('chat.ts');
    const calls = await buildApp('calls.ts');
    const streaming = await buildApp('streams.ts');
    // Messages only streams.ts holds: in the app given the part, in no app without it.
    for (const marker of ['server sent chunks beyond the window', 'stream cancelled']) {
      expect(streaming.code.sockkit).toContain(marker);
      expect(chat.code.sockkit).not.toContain(marker);
      expect(calls.code.sockkit).not.toContain(marker);
    }
    expect(sockkitShare(streaming.sizes)).toBeGreaterThan(sockkitShare(calls.sizes) + 500);
  });

  it('the breakdown by part (app-parts.mjs) puts every sockkit module in a part', async () => {
    const chat = await measureParts('chat.ts');
    expect(chat.unassigned).toEqual([]);
    expect(Object.keys(chat.parts)).not.toContain('streams');
    expect(chat.parts['superjson + copy-anything']).toBeGreaterThan(3000);
    const streaming = await measureParts('streams.ts');
    expect(streaming.parts.streams).toBeGreaterThan(500);
    expect(Object.keys(streaming.parts)).not.toContain('subscriptions');
  });

  it('a calls-only app ships no subscription, publish or call-serving code', async () => {
    const full = await buildApp('chat.ts');
    const calls = await buildApp('calls.ts');
    // Messages only subscriptions.ts / channels.ts and serve.ts hold: present in the full client.
    for (const marker of ['history must be an integer', 'cannot be encoded', 'no client handler for']) {
      expect(full.code.sockkit).toContain(marker);
    }
    expect(calls.code.sockkit).not.toContain('history must be an integer');
    expect(calls.code.sockkit).not.toContain('message to ');
    expect(calls.code.sockkit).not.toContain('maxBuffered');
    expect(sockkitShare(calls.sizes)).toBeLessThan(sockkitShare(full.sizes) - 1500);
  });
});
