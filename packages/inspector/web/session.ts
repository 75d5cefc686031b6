/**
 * The page's connection to the inspector's socket (`socket` beside the page) and the reactive
 * state it fills: every node's ticks (the `ticks` topic, with its history, so the charts start
 * full), every node's latest tables (`state`), and the app's contract.
 */
import { createSockkitClient } from '@sockkit/client';
import { reactive, shallowRef } from 'vue';
import { type Description, inspectorContract, type NodeState, type Tick } from '../src/contract.js';

export function connect(pageUrl: string) {
  const url = new URL('socket', pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  const client = createSockkitClient({
    url: url.href,
    contract: inspectorContract,
    offline: 'reject',
    reconnect: { maxDelayMs: 5000 },
  });
  const ticks = shallowRef<Tick[]>([]);
  const states = reactive(new Map<string, NodeState>());
  const described = shallowRef<Description>();
  const status = shallowRef<string>(client.state);
  const problem = shallowRef<string>();
  let keep = 300;

  client.on('state', (state) => {
    status.value = state;
    if (state === 'open') {
      client.call.describe().then(
        (value) => {
          described.value = value;
          keep = value.historyTicks;
        },
        () => undefined,
      );
    }
  });
  client.on('error', (error) => {
    problem.value = error.message;
  });
  // Ticks arrive one per node per interval; a fresh array lets computed views follow.
  const pending: Tick[] = [];
  let scheduled = false;
  const ticksSub = client.subscribe.ticks(
    undefined,
    (tick) => {
      pending.push(tick);
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        const nodes = new Set([...ticks.value, ...pending].map((t) => t.node)).size || 1;
        ticks.value = [...ticks.value, ...pending.splice(0)].slice(-keep * nodes);
      });
    },
    { history: 1000 },
  );
  ticksSub.on('recovered', (recovered) => {
    if (!recovered) ticks.value = [];
  });
  client.subscribe.state(undefined, (state) => {
    states.set(state.node, state);
  });
  return { client, ticks, states, described, status, problem };
}
