/** The room's hooks: the server, not the page, says who wrote a message and who is present. */
import type { TopicHooksMap } from '@sockkit/server';
import type { contract } from '../contract.js';
import type { Auth } from './auth.js';

export const topics: TopicHooksMap<typeof contract, Auth> = {
  room: {
    // A page sends { text }; everyone receives it with the author from the token.
    onPublish: ({ text }, { auth }) => ({ text, author: auth.name, at: new Date() }),
    // A page may say that it is typing, not who it is.
    onPresence: (state, { auth }) => ({ ...state, name: auth.name }),
  },
};
