/**
 * The page: the login form until this tab has a token, then the chat, with a client made for
 * that token and provided to it. Leaving the chat (or being refused) goes back to the form.
 */
import { type App, createApp } from 'vue';
import ChatRoom from './ChatRoom.vue';
import LoginForm from './LoginForm.vue';
import { connect, plugin } from './sockkit.js';

let app: App | undefined;

function show(token: string | null): void {
  app?.unmount();
  if (token === null) {
    sessionStorage.removeItem('token');
    app = createApp(LoginForm, { onToken: (fresh: string) => show(fresh) });
  } else {
    sessionStorage.setItem('token', token);
    const client = connect(token);
    app = createApp(ChatRoom, { onLeave: () => show(null) }).use(plugin(client));
    app.onUnmount(() => client.close());
  }
  app.mount('#app');
}

show(sessionStorage.getItem('token'));
