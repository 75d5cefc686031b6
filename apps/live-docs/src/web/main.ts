/** The live-docs web app. */
import { createApp } from 'vue';
import App from './App.vue';
import { client, plugin } from './sockkit.js';
import './styles.css';

createApp(App).use(plugin(client)).mount('#app');
