/** The inspector page: one connection to its socket, one Vue app. */
import { createApp } from 'vue';
import App from './App.vue';
import { connect } from './session.js';
import './styles.css';

createApp(App, { session: connect(location.href) }).mount('#app');
