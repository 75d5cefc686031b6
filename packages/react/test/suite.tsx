/**
 * One test file's fixture: a real server for the file, a recording client per test (closed
 * after it), and a wrapper providing the test's client.
 */
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { SockkitProvider } from '../src/index.js';
import { recordingClient, startServer } from './harness.js';

type Server = Awaited<ReturnType<typeof startServer>>;
type Recording = ReturnType<typeof recordingClient>;

/** A test file's server and clients. */
export interface ServerSuite {
  /** The file's server. */
  readonly env: Server;
  /** The test's latest client. */
  readonly rec: Recording;
  /** A new recording client (to `url`, default the server), provided by `wrapper`. */
  client(url?: string): Recording;
  /** A new recording client, once connected. */
  connected(): Promise<Recording>;
  /** Provides the test's latest client. */
  wrapper(props: { children: ReactNode }): ReactNode;
}

/** Registers the file's hooks; read `env` and `rec` inside tests. */
export function serverSuite(): ServerSuite {
  let env: Server | undefined;
  let rec: Recording | undefined;
  const opened: Recording[] = [];
  beforeAll(async () => {
    env = await startServer();
  });
  afterAll(() => env?.server.close({ timeout: 1000 }));
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((made) => made.client.close()));
  });
  const suite: ServerSuite = {
    get env(): Server {
      if (env === undefined) throw new Error('no server yet');
      return env;
    },
    get rec(): Recording {
      if (rec === undefined) throw new Error('no client yet: call client() or connected()');
      return rec;
    },
    client(url = suite.env.url): Recording {
      rec = recordingClient(url);
      opened.push(rec);
      return rec;
    },
    async connected(): Promise<Recording> {
      const made = suite.client();
      await made.client.ready();
      return made;
    },
    wrapper: ({ children }: { children: ReactNode }) => (
      <SockkitProvider client={suite.rec.client}>{children}</SockkitProvider>
    ),
  };
  return suite;
}
