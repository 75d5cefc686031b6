/**
 * Socket.IO 4 server, websocket transport only, no compression: `echo` with an ack, topics as
 * rooms joined through an acknowledged `subscribe` event, fan-out with `io.to(room).emit`.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { echoOutput } from '../../lib/payloads.mjs';
import { serveControl } from '../../lib/server-control.mjs';

const http = createServer();
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });

io.on('connection', (socket) => {
  socket.on('echo', (input, ack) => ack(echoOutput(input)));
  socket.on('subscribe', (topic, ack) => {
    socket.join(String(topic));
    ack(true);
  });
});

await new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(undefined)));
const { port } = /** @type {import('node:net').AddressInfo} */ (http.address());
await serveControl({
  url: `http://127.0.0.1:${port}`,
  publish: (topic, message) => {
    io.to(topic).emit('message', message);
  },
  connections: () => io.engine.clientsCount,
  subscribers: (topic) => io.sockets.adapter.rooms.get(topic)?.size ?? 0,
  close: () => new Promise((resolve) => io.close(() => resolve())),
});
