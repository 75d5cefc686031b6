/**
 * A page's WebSocket routed through the test (playwright-core's `routeWebSocket`). Frames
 * pass unchanged unless the test asks otherwise: hold what the server sends from the moment
 * the page calls some procedure (a server slow to confirm), hold what the page sends, or
 * rewrite the next update message on the `doc` topic (a corrupted update). Every message in
 * either direction is recorded as it travelled.
 */
import type { Page } from 'playwright-core';

/** One sockkit message as it travels (see docs/protocol.md). */
export interface Message {
  t: string;
  id?: number;
  p?: string;
  c?: string;
  d?: unknown;
  e?: { code: string; message: string };
}

const messagesOf = (frame: string | Buffer): Message[] => {
  const parsed = JSON.parse(frame.toString()) as Message | Message[];
  return Array.isArray(parsed) ? parsed : [parsed];
};

const isDocUpdate = (message: Message) =>
  message.t === 'msg' &&
  message.c?.startsWith('doc:') &&
  (message.d as { type?: string })?.type === 'updates';

/** Routes `page`'s WebSocket to the server through the test; call before the page opens it. */
export async function tapSocket(page: Page) {
  /** How many calls of each procedure the page sent. */
  const calls = new Map<string, number>();
  const sent: Message[] = [];
  const received: Message[] = [];
  let holdFrom: string | undefined;
  let holdingIn = false;
  let holdingOut = false;
  const heldIn: (string | Buffer)[] = [];
  const heldOut: (string | Buffer)[] = [];
  let corrupt: ((message: Message) => void) | undefined;
  let toPage: ((frame: string | Buffer) => void) | undefined;
  let toServer: ((frame: string | Buffer) => void) | undefined;

  const deliver = (frame: string | Buffer) => {
    if (!corrupt || typeof frame !== 'string') return toPage?.(frame);
    const messages = messagesOf(frame);
    const target = messages.find(isDocUpdate);
    if (!target) return toPage?.(frame);
    corrupt(target);
    corrupt = undefined;
    toPage?.(JSON.stringify(messages.length === 1 ? messages[0] : messages));
  };

  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    toPage = (frame) => ws.send(frame);
    toServer = (frame) => server.send(frame);
    ws.onMessage((frame) => {
      for (const message of messagesOf(frame)) {
        sent.push(message);
        if (message.t !== 'call' || !message.p) continue;
        calls.set(message.p, (calls.get(message.p) ?? 0) + 1);
        if (message.p === holdFrom) {
          holdingIn = true;
          holdFrom = undefined;
        }
      }
      if (holdingOut) heldOut.push(frame);
      else server.send(frame);
    });
    server.onMessage((frame) => {
      received.push(...messagesOf(frame));
      if (holdingIn) heldIn.push(frame);
      else deliver(frame);
    });
  });

  return {
    /** Every message the page sent, in order. */
    sent,
    /** Every message the server sent the page, in order, as the server sent it. */
    received,
    /** How many calls of `procedure` the page sent. */
    calls: (procedure: string) => calls.get(procedure) ?? 0,
    /** From the page's next call of `procedure` on, keep everything the server sends (once). */
    holdAnswersFrom(procedure: string) {
      holdFrom = procedure;
    },
    /** Whether frames from the server are held now. */
    get holdingAnswers() {
      return holdingIn;
    },
    /** Hands the page what the server sent meanwhile, in order; no more holding. */
    releaseAnswers() {
      holdingIn = false;
      for (const frame of heldIn.splice(0)) deliver(frame);
    },
    /** Keeps what the page sends from now on. */
    holdRequests() {
      holdingOut = true;
    },
    /** Sends the server what the page sent meanwhile, in order; no more holding. */
    releaseRequests() {
      holdingOut = false;
      for (const frame of heldOut.splice(0)) toServer?.(frame);
    },
    /** Rewrites the `d` of the next update message on the `doc` topic the page receives. */
    corruptNextUpdate(
      rewrite: (data: { since: number; updates: { clientID: string; changes: unknown }[] }) => void,
    ) {
      corrupt = (message) => rewrite(message.d as Parameters<typeof rewrite>[0]);
    },
  };
}
