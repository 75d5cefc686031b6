/** An app that calls the server and reads a stream: the calls-only client with the streams part. */
import { createSockkitCallClient, streams } from '@sockkit/client';
import type { contract } from './contract.js';

const client = createSockkitCallClient<typeof contract>({ url: '/ws', streams });
const { user } = await client.call.join({ room: 'lobby', name: 'Ada' });
const out = document.querySelector('p')!;
for await (const line of client.stream.summary({ room: 'lobby' })) out.append(line);
document.title = user;
