/**
 * The observers of one server, fanned out. The server's modules hold `rt.observer`, which is
 * undefined while no observer is registered: each reporting site is `rt.observer?.x(...)`, and
 * optional chaining skips building the arguments, so an unobserved server pays one check.
 * Once one is registered, `rt.observer` is a {@link ObserverHub} that calls every observer's
 * callback, each in its own try: a throwing observer is logged (within a budget) and the
 * others still run.
 */
import type { Clock } from '@sockkit/core';
import { LogBudget } from './log-budget.js';
import type { Logger } from './logger.js';
import type { CallEnd, CallEvent, CallWatch, ObservedServer, ServerObserver } from './observer.js';

type FannedOut = Exclude<keyof ServerObserver, 'attached' | 'detached' | 'callStarted'>;

/** The callbacks the server's modules call: every one of {@link ServerObserver}'s, required. */
export type ObserverHub = Required<Omit<ServerObserver, 'attached' | 'detached' | 'callStarted'>> & {
  /** A call arrived; undefined when no observer follows it. */
  callStarted(call: CallEvent): CallWatch | undefined;
};

/** The registered observers of one server, and the hub its modules call. */
export class Observers {
  private list: ServerObserver[] = [];
  /** The observers that follow calls. */
  private callTakers: ServerObserver[] = [];
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
      this.failed(callback, error);
    }
  }

  private makeHub(): ObserverHub {
    this.callTakers = this.list.filter((observer) => observer.callStarted !== undefined);
    const fan = this.fan.bind(this);
    return {
      connectionOpened: fan('connectionOpened'),
      connectionClosed: fan('connectionClosed'),
      refused: fan('refused'),
      received: fan('received'),
      sent: fan('sent'),
      callStarted: (call: CallEvent) => this.callStarted(call),
      published: fan('published'),
      delivered: fan('delivered'),
      gap: fan('gap'),
      volatileDropped: fan('volatileDropped'),
      slowConsumer: fan('slowConsumer'),
      rateLimited: fan('rateLimited'),
      protocolError: fan('protocolError'),
      brokerStatus: fan('brokerStatus'),
    };
  }

  /**
   * One callback of every observer that has it, each in its own try. Made once per change of
   * the list, so reporting an event allocates nothing (every callback takes at most two
   * arguments).
   */
  private fan<K extends FannedOut>(key: K): NonNullable<ServerObserver[K]> {
    const takers = this.list.filter((observer) => observer[key] !== undefined);
    const fanned = (a: unknown, b: unknown): void => {
      for (const observer of takers) {
        try {
          (observer[key] as (a: unknown, b: unknown) => void).call(observer, a, b);
        } catch (error) {
          this.failed(key, error);
        }
      }
    };
    return fanned as NonNullable<ServerObserver[K]>;
  }

  /** An observer threw in `callback`: logged within the budget; serving goes on. */
  failed(callback: string, error: unknown): void {
    const meta = this.budget.admit({ callback, err: error });
    if (meta) this.logger.error(meta, `observer failed in ${callback}`);
  }

  /**
   * Every observer's watch of a call, as one (nested `run`s, every `finished`); a single watch
   * as it is (the server calls its `finished` in a try of its own).
   */
  private callStarted(call: CallEvent): CallWatch | undefined {
    let first: CallWatch | undefined;
    let more: CallWatch[] | undefined;
    for (const observer of this.callTakers) {
      let watch: CallWatch | undefined;
      try {
        watch = observer.callStarted?.(call);
      } catch (error) {
        this.failed('callStarted', error);
      }
      if (!watch) continue;
      if (!first) first = watch;
      else {
        more ??= [first];
        more.push(watch);
      }
    }
    return more ? new Watches(more, this) : first;
  }
}

/** Several observers' watches of one call. */
class Watches implements CallWatch {
  constructor(
    private readonly all: CallWatch[],
    private readonly observers: Observers,
  ) {}

  run<T>(handler: () => T): T {
    // Mostly one wraps the handler (a tracer; metrics do not): then no closure is made.
    let runner: Required<CallWatch> | undefined;
    let runners = 0;
    for (const watch of this.all)
      if (watch.run) {
        runner = watch as Required<CallWatch>;
        runners++;
      }
    if (runner === undefined) return handler();
    if (runners === 1) return runner.run(handler);
    let inner = handler;
    for (const watch of this.all) {
      if (!watch.run) continue;
      const next = inner;
      // What `run` throws is taken as the handler's failure (INTERNAL to the caller).
      inner = () => (watch.run ? watch.run(next) : next());
    }
    return inner();
  }

  finished(end: CallEnd): void {
    for (const watch of this.all) {
      try {
        watch.finished(end);
      } catch (error) {
        this.observers.failed('finished', error);
      }
    }
  }
}
