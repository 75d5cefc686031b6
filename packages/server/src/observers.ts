/**
 * The observers of one server, fanned out. The server's modules hold `rt.observer`, which is
 * undefined while no observer is registered: each reporting site is `rt.observer?.x(...)`, and
 * optional chaining skips building the arguments, so an unobserved server pays one check.
 * Once one is registered, `rt.observer` is a {@link ObserverHub} that calls every observer's
 * callback, each in its own try: a throwing observer is logged (within a budget) and the
 * others still run.
 */
import type { Clock } from '@sockkit/core';
import type { BrokerStatus } from './broker.js';
import { LogBudget } from './log-budget.js';
import type { Logger } from './logger.js';
import type {
  CallEnd,
  CallEvent,
  CallWatch,
  ClosedEvent,
  DeliveryEvent,
  GapEvent,
  ObservedConnection,
  ObservedServer,
  PublishEvent,
  RefusedEvent,
  ServerObserver,
} from './observer.js';

/** The callbacks the server's modules call: every one of {@link ServerObserver}'s, required. */
export type ObserverHub = Required<Omit<ServerObserver, 'attached' | 'detached' | 'callStarted'>> & {
  /** A call arrived; undefined when no observer follows it. */
  callStarted(call: CallEvent): CallWatch | undefined;
};

/** The registered observers of one server, and the hub its modules call. */
export class Observers {
  private list: ServerObserver[] = [];
  private readonly budget: LogBudget;
  /** The hub, or undefined while no observer is registered. */
  hub: ObserverHub | undefined;

  constructor(
    private readonly server: ObservedServer,
    private readonly logger: Logger,
    clock: Clock,
  ) {
    this.budget = new LogBudget(clock);
  }

  /** Registers `observer`; returns the function that unregisters it. */
  add(observer: ServerObserver): () => void {
    this.list = [...this.list, observer];
    this.hub = this.makeHub();
    this.guard('attached', () => observer.attached?.(this.server));
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.list = this.list.filter((o) => o !== observer);
      this.hub = this.list.length === 0 ? undefined : this.makeHub();
      this.guard('detached', () => observer.detached?.(this.server));
    };
  }

  /** Unregisters every observer (the server closed). */
  clear(): void {
    const list = this.list;
    this.list = [];
    this.hub = undefined;
    for (const observer of list) this.guard('detached', () => observer.detached?.(this.server));
  }

  private guard(callback: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      const meta = this.budget.admit({ callback, err: error });
      if (meta) this.logger.error(meta, `observer failed in ${callback}`);
    }
  }

  private makeHub(): ObserverHub {
    const list = this.list;
    const each = <K extends keyof ServerObserver>(key: K, call: (o: ServerObserver) => void) => {
      for (const observer of list) if (observer[key]) this.guard(key, () => call(observer));
    };
    return {
      connectionOpened: (conn: ObservedConnection) =>
        each('connectionOpened', (o) => o.connectionOpened?.(conn)),
      connectionClosed: (conn: ObservedConnection, event: ClosedEvent) =>
        each('connectionClosed', (o) => o.connectionClosed?.(conn, event)),
      refused: (event: RefusedEvent) => each('refused', (o) => o.refused?.(event)),
      received: (conn: ObservedConnection, bytes: number) =>
        each('received', (o) => o.received?.(conn, bytes)),
      sent: (conn: ObservedConnection, bytes: number) => each('sent', (o) => o.sent?.(conn, bytes)),
      callStarted: (call: CallEvent) => this.callStarted(list, call),
      published: (event: PublishEvent) => each('published', (o) => o.published?.(event)),
      delivered: (event: DeliveryEvent) => each('delivered', (o) => o.delivered?.(event)),
      gap: (event: GapEvent) => each('gap', (o) => o.gap?.(event)),
      volatileDropped: (conn: ObservedConnection) =>
        each('volatileDropped', (o) => o.volatileDropped?.(conn)),
      slowConsumer: (conn: ObservedConnection, bufferedBytes: number) =>
        each('slowConsumer', (o) => o.slowConsumer?.(conn, bufferedBytes)),
      rateLimited: (conn: ObservedConnection, closing: boolean) =>
        each('rateLimited', (o) => o.rateLimited?.(conn, closing)),
      protocolError: (conn: ObservedConnection, closing: boolean) =>
        each('protocolError', (o) => o.protocolError?.(conn, closing)),
      brokerStatus: (status: BrokerStatus, error: Error | undefined) =>
        each('brokerStatus', (o) => o.brokerStatus?.(status, error)),
    };
  }

  /** Every observer's watch of a call, as one (nested `run`s, every `finished`). */
  private callStarted(list: readonly ServerObserver[], call: CallEvent): CallWatch | undefined {
    let watches: CallWatch[] | undefined;
    for (const observer of list) {
      if (!observer.callStarted) continue;
      let watch: CallWatch | undefined;
      this.guard('callStarted', () => {
        watch = observer.callStarted?.(call);
      });
      if (!watch) continue;
      watches ??= [];
      watches.push(watch);
    }
    if (!watches) return undefined;
    const all = watches;
    return {
      run: <T>(handler: () => T): T => {
        let inner = handler;
        for (const watch of all) {
          if (!watch.run) continue;
          const next = inner;
          // What `run` throws is taken as the handler's failure (INTERNAL to the caller).
          inner = () => (watch.run ? watch.run(next) : next());
        }
        return inner();
      },
      finished: (end: CallEnd) => {
        for (const watch of all) this.guard('finished', () => watch.finished(end));
      },
    };
  }
}
