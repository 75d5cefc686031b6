/**
 * The chat's procedures. Every write goes to SQLite first (committed), then to the room's
 * topic, then back to the caller: a message anyone saw is on disk. The author is always the
 * connection's identity (`ctx.auth`); the input names none, and only an author may edit or
 * remove their message.
 */
import { randomBytes } from 'node:crypto';
import { SockkitError } from '@sockkit/core';
import type { ServerHandlers } from '@sockkit/server';
import type { ChatContract, ChatMessage } from '../contract.js';
import { LIMITS } from '../shared/limits.js';
import type { ChatAuth } from './identity.js';
import { roomIdOf } from './room-id.js';
import type { ChatStore } from './store.js';

/** The history page a page asks for when it names no limit. */
const DEFAULT_PAGE = 50;

export function createHandlers(store: ChatStore): ServerHandlers<ChatContract, ChatAuth> {
  const roomOrThrow = (user: string, room: string) => {
    const found = store.room(user, room);
    if (!found) throw new SockkitError('NOT_FOUND', `no room "${room}"`);
    return found;
  };
  /** Like `roomOrThrow`, without counting the caller's unread messages (a send needs no count). */
  const mustExist = (room: string) => {
    if (!store.hasRoom(room)) throw new SockkitError('NOT_FOUND', `no room "${room}"`);
  };
  /** The caller's own message, or NOT_FOUND / FORBIDDEN. */
  const ownMessage = (id: number, auth: ChatAuth): ChatMessage => {
    const message = store.message(id);
    if (!message) throw new SockkitError('NOT_FOUND', `no message ${id}`);
    if (message.author.user !== auth.user) {
      throw new SockkitError('FORBIDDEN', 'only its author may change a message');
    }
    return message;
  };

  return {
    me: (_input, { auth }) => ({ user: auth.user, name: auth.name }),
    rooms: (_input, { auth }) => store.rooms(auth.user),
    room: ({ room }, { auth }) => roomOrThrow(auth.user, room),
    createRoom: async ({ name }, { auth, server }) => {
      if (store.roomCount() >= LIMITS.maxRooms) {
        throw new SockkitError('LIMIT_EXCEEDED', `this server holds at most ${LIMITS.maxRooms} rooms`);
      }
      const id = roomIdOf(name) || `room-${randomBytes(4).toString('hex')}`;
      const room = store.createRoom(id, name, auth.user);
      if (!room)
        throw new SockkitError('CONFLICT', `a room "${id}" exists already`, { details: { room: id } });
      await server.publish.lobby(undefined, { kind: 'room', room });
      return room;
    },
    history: ({ room, before, limit }) => {
      mustExist(room);
      return store.history(room, before, limit ?? DEFAULT_PAGE);
    },
    changes: ({ room, since }) => {
      mustExist(room);
      return store.changes(room, since, LIMITS.maxPage);
    },
    send: async ({ room, key, text }, { auth, server }) => {
      mustExist(room);
      const { message, created } = store.send(room, auth, key, text);
      if (message.room !== room) {
        throw new SockkitError('CONFLICT', 'this send key was used for another room', { details: { key } });
      }
      // A repeated send publishes the stored message again: the first may have been cut off
      // between the commit and the publish, and pages apply a message by its revision, once.
      await server.publish.room({ room }, { message });
      if (created)
        await server.publish.lobby(undefined, { kind: 'message', room, id: message.id, author: auth.user });
      return message;
    },
    edit: async ({ id, text }, { auth, server }) => {
      const current = ownMessage(id, auth);
      if (current.deleted) throw new SockkitError('CONFLICT', `message ${id} was removed`);
      const message = current.text === text ? current : store.change(id, { text });
      await server.publish.room({ room: message.room }, { message });
      return message;
    },
    remove: async ({ id }, { auth, server }) => {
      const current = ownMessage(id, auth);
      const message = current.deleted ? current : store.change(id, { deleted: true });
      await server.publish.room({ room: message.room }, { message });
      return message;
    },
    markRead: ({ room, id }, { auth }) => {
      mustExist(room);
      store.markRead(auth.user, room, id);
      return { unread: roomOrThrow(auth.user, room).unread };
    },
  };
}
