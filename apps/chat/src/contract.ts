/**
 * The chat's contract, shared by the Node server (src/server) and the React app (src/web).
 *
 * Messages go through procedures, not client publishes: `send`, `edit` and `remove` write to
 * SQLite first and only then reply and publish on `room`, so a message anyone has seen is on
 * disk. The server stamps the author from the connection's identity; nothing a client sends
 * names one. `send` carries an idempotency key chosen by the page: a send repeated after a
 * lost reply, a reconnect or a reload stores nothing new and answers with the message the
 * first one stored.
 *
 * Every change to a room (a message sent, edited or removed) takes the room's next `rev`, so
 * a page that missed some follows up with `changes({ room, since })`.
 */
import { defineContract } from '@sockkit/core';
import * as z from 'zod';
import { LIMITS } from './shared/limits.js';

/** A room id: lower-case words joined by dashes, made by the server from the room's name. */
export const roomId = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'invalid room id');
/** A message id: the database's, increasing with every message of every room. */
export const messageId = z.number().int().positive();
/** A person's key, derived by the server from their secret identity token; safe to show. */
export const userKey = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid user key');
/** The idempotency key of one send, chosen by the page that wrote the message. */
export const sendKey = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a send key is 8 to 64 URL-safe characters');
/** What a person writes: markdown, trimmed, not empty. */
export const messageText = z
  .string()
  .trim()
  .min(1, 'a message is not empty')
  .max(LIMITS.maxMessageChars)
  // SQLite keeps UTF-8: half an emoji would come back as U+FFFD, not as what was confirmed.
  .refine((text) => !/\p{Cs}/u.test(text), 'a message holds no lone surrogate');
/** A room's display name. */
export const roomName = z.string().trim().min(1).max(LIMITS.maxRoomNameChars);

/** One message as stored and as everyone receives it. A removed message keeps its place, empty. */
export const messageSchema = z.object({
  id: messageId,
  room: roomId,
  /** The room's revision of this message's last change. */
  rev: z.number().int().positive(),
  author: z.object({ user: userKey, name: z.string() }),
  text: z.string(),
  /** Epoch ms, the server's clock. */
  at: z.number(),
  editedAt: z.number().nullable(),
  deleted: z.boolean(),
  /** The send key it was stored under: the page that sent it recognises its own. */
  key: z.string(),
});
export type ChatMessage = z.infer<typeof messageSchema>;

export const roomSchema = z.object({
  id: roomId,
  name: z.string(),
  createdAt: z.number(),
  /** The newest message id, 0 for none. */
  lastId: z.number().int().nonnegative(),
});
export type Room = z.infer<typeof roomSchema>;

/** A room in the caller's list: with how many messages of others they have not read. */
export const roomEntry = roomSchema.extend({ unread: z.number().int().nonnegative() });
export type RoomEntry = z.infer<typeof roomEntry>;

const page = z.object({ messages: z.array(messageSchema), more: z.boolean() });

export const contract = defineContract({
  server: {
    /** The caller's user key and name. */
    me: { output: z.object({ user: userKey, name: z.string() }), idempotent: true },
    /** Every room, oldest first, with the caller's unread counts. */
    rooms: { output: z.array(roomEntry), idempotent: true },
    /** A room by id (a link to it): NOT_FOUND when there is none. */
    room: { input: z.object({ room: roomId }), output: roomEntry, idempotent: true },
    /** Creates a room; its id is made from the name; CONFLICT when that id is taken. */
    createRoom: { input: z.object({ name: roomName }), output: roomSchema },
    /** Messages before `before` (default: the newest), oldest first; `more` when older ones exist. */
    history: {
      input: z.object({
        room: roomId,
        before: messageId.optional(),
        limit: z.number().int().min(1).max(LIMITS.maxPage).optional(),
      }),
      output: page,
      idempotent: true,
    },
    /** Messages changed after revision `since` (new, edited or removed), by revision; `more` when the page was full. */
    changes: {
      input: z.object({ room: roomId, since: z.number().int().nonnegative() }),
      output: page.extend({ rev: z.number().int().nonnegative() }),
      idempotent: true,
    },
    /** Stores a message as the caller, then publishes it. The same `key` again stores nothing. */
    send: {
      input: z.object({ room: roomId, key: sendKey, text: messageText }),
      output: messageSchema,
      idempotent: true,
    },
    /** Replaces the text of one of the caller's own messages. */
    edit: { input: z.object({ id: messageId, text: messageText }), output: messageSchema, idempotent: true },
    /** Removes one of the caller's own messages (its text is erased). */
    remove: { input: z.object({ id: messageId }), output: messageSchema, idempotent: true },
    /** The caller has read `room` up to message `id`; answers the unread count left. */
    markRead: {
      input: z.object({ room: roomId, id: z.number().int().nonnegative() }),
      output: z.object({ unread: z.number().int().nonnegative() }),
      idempotent: true,
    },
  },
  topics: {
    /** A room's changes, and who is in it and typing. Only the server publishes. */
    room: {
      params: z.object({ room: roomId }),
      message: z.object({ message: messageSchema }),
      /** The server replaces `name` with the connection's; a page says only whether it types. */
      presence: z.object({ name: z.string().max(64), typing: z.boolean() }),
    },
    /** Every room's comings and goings, for the list: new rooms, and each new message (for unread counts). */
    lobby: {
      message: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('room'), room: roomSchema }),
        z.object({ kind: z.literal('message'), room: roomId, id: messageId, author: userKey }),
      ]),
    },
  },
});

export type ChatContract = typeof contract;
