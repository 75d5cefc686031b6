/**
 * Whether the browser says it has a network. It knows before the socket does: a WebSocket
 * can stay "open" for many seconds after the network went, until a heartbeat goes unanswered.
 */
import { readonly, ref } from 'vue';

const state = ref(navigator.onLine);
const update = () => {
  state.value = navigator.onLine;
};
window.addEventListener('online', update);
window.addEventListener('offline', update);

/** `navigator.onLine`, kept up to date for the app's lifetime. */
export const online = readonly(state);
