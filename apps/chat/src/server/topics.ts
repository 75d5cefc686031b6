/** The topics' hooks: a room must exist to be followed, and presence names come from the connection. */
import { SockkitError } from '@sockkit/core';
import type { TopicHooksMap } from '@sockkit/server';
import type { ChatContract } from '../contract.js';
import type { ChatAuth } from './identity.js';
import type { ChatStore } from './store.js';

export function topicHooks(store: ChatStore): TopicHooksMap<ChatContract, ChatAuth> {
  return {
    room: {
      authorize: {
        subscribe: ({ params }) => {
          if (!store.hasRoom(params.room)) throw new SockkitError('NOT_FOUND', `no room "${params.room}"`);
          return true;
        },
      },
      // A page says whether it is typing; who it is comes from its connection.
      onPresence: ({ typing }, { auth }) => ({ name: auth.name, typing }),
    },
  };
}
