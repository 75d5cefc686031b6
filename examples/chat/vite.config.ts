/**
 * Vite builds the page into dist/web, which the chat server serves. `npm run dev` serves it
 * from Vite instead (port 5173, hot reload) and proxies /ws and /login to the chat server
 * (CHAT_SERVER, default http://127.0.0.1:3000), so the page and its socket share an origin.
 */
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const chatServer = process.env.CHAT_SERVER ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  plugins: [vue()],
  server: {
    // No changeOrigin: the server sees the Host the browser used (localhost:5173), which is
    // what the browser's Origin says, so its default same-origin check passes.
    proxy: { '/login': chatServer, '/ws': { target: chatServer, ws: true } },
  },
  build: { outDir: fileURLToPath(new URL('./dist/web', import.meta.url)), emptyOutDir: true },
});
