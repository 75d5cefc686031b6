/**
 * The fault-test TCP proxy against a real TCP server on 127.0.0.1: bytes go both ways once,
 * a stall holds the links open at that moment (and only those), resume forwards what waited.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, type TcpProxy } from '../src/proxy.js';

/** A TCP server that records what each link sent and lets the test write to it. */
async function target(): Promise<{ server: Server; port: number; links: { socket: Socket; got: string }[] }> {
  const links: { socket: Socket; got: string }[] = [];
  const server = createServer((socket) => {
    const link = { socket, got: '' };
    links.push(link);
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      link.got += text;
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, links };
}

/** A client link through the proxy, recording what it receives. */
async function client(port: number): Promise<{ socket: Socket; got: () => string }> {
  const socket = tcpConnect(port, '127.0.0.1');
  let got = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    got += text;
  });
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, got: () => got };
}

const until = (check: () => boolean) => expect.poll(check, { timeout: 5000 }).toBe(true);

describe('TCP proxy', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setup(): Promise<{ proxy: TcpProxy; t: Awaited<ReturnType<typeof target>> }> {
    const t = await target();
    cleanup.push(() => new Promise<void>((resolve) => t.server.close(() => resolve())));
    const proxy = await startProxy(t.port);
    cleanup.push(() => proxy.close());
    return { proxy, t };
  }

  it('a link opened after stall(), then resume(): each chunk arrives exactly once, both ways', async () => {
    const { proxy, t } = await setup();
    const before = await client(proxy.port);
    await until(() => t.links.length === 1);
    proxy.stall();
    const after = await client(proxy.port);
    await until(() => t.links.length === 2);
    const [held, fresh] = [t.links[0]!, t.links[1]!];
    // The stalled link holds its bytes; the new one flows.
    before.socket.write('held-up;');
    held.socket.write('held-down;');
    after.socket.write('up1;');
    fresh.socket.write('down1;');
    await until(() => fresh.got.includes('up1;') && after.got().includes('down1;'));
    expect(held.got).toBe('');
    expect(before.got()).toBe('');
    proxy.resume();
    for (let i = 2; i <= 4; i++) {
      after.socket.write(`up${i};`);
      fresh.socket.write(`down${i};`);
    }
    after.socket.write('end;');
    fresh.socket.write('end;');
    await until(() => fresh.got.includes('end;') && after.got().includes('end;'));
    await until(() => held.got.includes('held-up;') && before.got().includes('held-down;'));
    expect(fresh.got).toBe('up1;up2;up3;up4;end;');
    expect(after.got()).toBe('down1;down2;down3;down4;end;');
    // The link that was stalled delivers what waited, once, and then flows again.
    before.socket.write('more;');
    held.socket.write('more;');
    await until(() => held.got.endsWith('more;') && before.got().endsWith('more;'));
    expect(held.got).toBe('held-up;more;');
    expect(before.got()).toBe('held-down;more;');
    before.socket.destroy();
    after.socket.destroy();
  });

  it('stall() twice then resume() once forwards each chunk once', async () => {
    const { proxy, t } = await setup();
    const c = await client(proxy.port);
    await until(() => t.links.length === 1);
    proxy.stall();
    proxy.stall();
    proxy.resume();
    c.socket.write('a;');
    t.links[0]!.socket.write('b;');
    c.socket.write('end;');
    t.links[0]!.socket.write('end;');
    await until(() => t.links[0]!.got.includes('end;') && c.got().includes('end;'));
    expect([t.links[0]!.got, c.got()]).toEqual(['a;end;', 'b;end;']);
    c.socket.destroy();
  });
});
