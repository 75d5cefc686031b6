/** An app that only calls the server: the calls-only client. */
import { createSockkitCallClient } from '@sockkit/client';
import type { contract } from './contract.js';

const client = createSockkitCallClient<typeof contract>({ url: '/ws' });
const { user } = await client.call.join({ room: 'lobby', name: 'Ada' });
document.title = `${user}: ${(await client.call.rooms()).length} rooms`;
