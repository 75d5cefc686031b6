/**
 * Presence bookkeeping as pure functions over a `Map` keyed by connection id (a Map, so ids
 * chosen by clients can never collide with Object.prototype keys). Both the server's broker
 * and the client's subscription state use these.
 */

/** One present connection on a channel. */
export interface PresenceMember<S = unknown> {
  /** Connection id. */
  conn: string;
  /** User key from the server's auth context, shared by all of a user's connections. */
  user?: string;
  /** The member's typed presence state. */
  state: S;
}

/** A change to a channel's presence. */
export interface PresenceEvent<S = unknown> {
  /** What happened to the member. */
  type: 'join' | 'update' | 'leave';
  /** The member, with its state after the change. */
  member: PresenceMember<S>;
}

/** Applies one event to `members` in place; returns whether anything changed. */
export function applyPresence<S>(members: Map<string, PresenceMember<S>>, event: PresenceEvent<S>): boolean {
  if (event.type === 'leave') return members.delete(event.member.conn);
  members.set(event.member.conn, event.member);
  return true;
}

/** Replaces `members` with a snapshot. */
export function resetPresence<S>(
  members: Map<string, PresenceMember<S>>,
  snapshot: Iterable<PresenceMember<S>>,
): void {
  members.clear();
  for (const member of snapshot) members.set(member.conn, member);
}

/** Groups members by user key (connections without one stand alone under their conn id). */
export function presenceByUser<S>(members: Map<string, PresenceMember<S>>): Map<string, PresenceMember<S>[]> {
  const users = new Map<string, PresenceMember<S>[]>();
  for (const member of members.values()) {
    const key = member.user ?? `conn:${member.conn}`;
    const list = users.get(key);
    if (list) list.push(member);
    else users.set(key, [member]);
  }
  return users;
}
