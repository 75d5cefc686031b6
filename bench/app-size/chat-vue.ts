/** The same app on the Vue composables. */
import { createSockkitClient } from '@sockkit/client';
import { createSockkitVue } from '@sockkit/vue';
import { createApp, defineComponent, h, ref } from 'vue';
import type { contract } from './contract.js';

const client = createSockkitClient<typeof contract>({
  url: '/ws',
  handlers: { ping: () => 'pong' as const },
});
const { plugin, useCall, useSubscription, usePresence, usePublish, useConnectionState } =
  createSockkitVue<typeof contract>();

const Chat = defineComponent(() => {
  const lines = ref<string[]>([]);
  const state = useConnectionState();
  const rooms = useCall('rooms');
  const room = useSubscription(
    'room',
    { room: 'lobby' },
    {
      presence: { name: 'Ada', typing: false },
      onMessage: (m) => lines.value.push(`${m.from}: ${m.text}`),
    },
  );
  const members = usePresence(room);
  const send = usePublish('room');
  return () =>
    h('main', [
      h('p', `${state.value} · ${members.value.length} here · ${rooms.data.value?.length ?? 0} rooms`),
      h(
        'ul',
        lines.value.map((line) => h('li', line)),
      ),
      h('button', { onClick: () => send.publish({ room: 'lobby' }, { text: 'hi' }) }, 'send'),
    ]);
});

createApp(Chat).use(plugin(client)).mount('#app');
