/** The chat's bounds, checked by the contract's schemas and shown by the page. */
export const LIMITS = {
  /** Characters in one message. */
  maxMessageChars: 4000,
  /** Characters in a room's name. */
  maxRoomNameChars: 40,
  /** Messages in one page of history or changes. */
  maxPage: 100,
  /** Rooms on one server; creating more is LIMIT_EXCEEDED. */
  maxRooms: 500,
} as const;
