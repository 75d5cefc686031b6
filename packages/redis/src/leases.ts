/**
 * Leases: the presence members this node owns, kept alive in Redis.
 *
 * Each member is stored with a lease expiry (Redis time). The node renews its members'
 * leases every `leaseMs / 3`; a node that dies stops renewing, so its members expire at most
 * `leaseMs` after its last renewal and are reaped (and a `leave` published) by the next
 * reap of any node watching the channel, at most `leaseMs / 3` later, or at once by any
 * members read. Hence the ghost bound: `leaseMs + leaseMs / 3` after the node died.
 *
 * A member Redis no longer holds (reaped while this node was cut off, or lost in a Redis
 * restart) is added again with a `join` on the next renewal.
 */
import type { BrokerMember } from '@sockkit/server';

/** What the leases need from the broker. */
export interface LeaseHost {
  /** Renews the leases of `conns` on `channel`; resolves with the conns Redis lost. */
  renew(channel: string, conns: string[]): Promise<string[]>;
  /** Stores a member again (as a join). */
  rejoin(channel: string, member: BrokerMember): Promise<void>;
}

const RENEW_BATCH = 500;

/** The presence members owned by this node, per channel. */
export class Leases {
  private readonly owned = new Map<string, Map<string, BrokerMember>>();

  constructor(private readonly host: LeaseHost) {}

  /** Records that this node owns `member` on `channel`. */
  add(channel: string, member: BrokerMember): void {
    let members = this.owned.get(channel);
    if (!members) {
      members = new Map();
      this.owned.set(channel, members);
    }
    members.set(member.conn, member);
  }

  /** Forgets `conn` on `channel`. */
  remove(channel: string, conn: string): void {
    const members = this.owned.get(channel);
    if (!members) return;
    members.delete(conn);
    if (members.size === 0) this.owned.delete(channel);
  }

  /** Every owned member, as `[channel, conn]`. */
  entries(): [string, string][] {
    const out: [string, string][] = [];
    for (const [channel, members] of this.owned) for (const conn of members.keys()) out.push([channel, conn]);
    return out;
  }

  /** Number of members owned. */
  get size(): number {
    let size = 0;
    for (const members of this.owned.values()) size += members.size;
    return size;
  }

  /** Renews every lease, re-adding members Redis lost. Failures wait for the next round. */
  async renewAll(): Promise<void> {
    const work: Promise<void>[] = [];
    for (const [channel, members] of this.owned) {
      const conns = [...members.keys()];
      for (let i = 0; i < conns.length; i += RENEW_BATCH) {
        work.push(this.renew(channel, conns.slice(i, i + RENEW_BATCH)));
      }
    }
    await Promise.all(work);
  }

  private async renew(channel: string, conns: string[]): Promise<void> {
    let lost: string[];
    try {
      lost = await this.host.renew(channel, conns);
    } catch {
      return;
    }
    for (const conn of lost) {
      // Still ours? It may have left while the renewal ran.
      const member = this.owned.get(channel)?.get(conn);
      if (member) await this.host.rejoin(channel, member).catch(() => {});
    }
  }
}
