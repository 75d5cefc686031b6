/**
 * The Lua scripts that make each broker operation one atomic step in Redis, so that offset
 * order is publish order on every node. They run by EVALSHA, falling back to EVAL when Redis
 * does not know the script (first use, or after a restart emptied its script cache).
 *
 * Time comes from Redis (`TIME`), never from a node, so message ages and presence leases do
 * not depend on the nodes' clocks agreeing.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function int(n) return string.format('%d', n) end
local function field(entry, name)
  local f = entry[2]
  for i = 1, #f, 2 do if f[i] == name then return f[i + 1] end end
  return nil
end
-- The replication id of this Redis: a new one after every failover or restart.
local function replid()
  return string.match(redis.call('INFO', 'replication'), 'master_replid:(%x+)')
end
-- The channel's epoch and last offset; a missing meta key means its history was lost (or
-- never existed): a new epoch starts and whatever stream is left belongs to the old one.
-- Field r is the replication id the meta was last written under. A meta written under another
-- one (this Redis was promoted or restarted since: writes after it may be lost, and offsets
-- reused) also starts a new epoch, unless acked is '1': publishes are acknowledged by replicas
-- before anyone sees them, so a promoted replica lost nothing seen. Then r is only brought up
-- to date, on every call, which makes every call a write: a WAIT after it covers all before it.
local function ensure(meta, log, candidate, ttl, acked)
  local cur = redis.call('HMGET', meta, 'e', 'o', 'r')
  local epoch, offset, written = cur[1], tonumber(cur[2]), cur[3]
  local id = replid()
  if not epoch or not offset or (acked ~= '1' and written and written ~= id) then
    epoch, offset = candidate, 0
    redis.call('DEL', log)
    redis.call('HSET', meta, 'e', epoch, 'o', 0, 'r', id)
  elseif written ~= id or acked == '1' then
    -- A meta from before r existed is adopted as it is.
    redis.call('HSET', meta, 'r', id)
  end
  if ttl > 0 then redis.call('PEXPIRE', meta, ttl) end
  return epoch, offset
end
`;

/** A Lua script run by EVALSHA with an EVAL fallback. */
export class Script {
  /** The full Lua source: the shared prelude followed by the script's body. */
  readonly source: string;
  /** SHA-1 of `source`, as EVALSHA addresses it. */
  readonly sha: string;

  constructor(body: string) {
    this.source = PRELUDE + body;
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }

  /** Runs the script on `redis`. */
  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/**
 * Publish. KEYS: meta, log. ARGV: events channel, candidate epoch, body, volatile ('1'/'0'),
 * max length, history age (ms, 0 = none), channel ttl (ms, 0 = none), acked ('1': a durable
 * message is not published here; the node publishes it once replicas acknowledged it).
 * Returns `{epoch}` for a volatile message, `{epoch, offset}` for a durable one.
 */
export const publishScript = new Script(`
local meta, log = KEYS[1], KEYS[2]
local channelTtl = tonumber(ARGV[7])
local epoch, offset = ensure(meta, log, ARGV[2], channelTtl, ARGV[8])
if ARGV[4] == '1' then
  redis.call('PUBLISH', ARGV[1], 'm' .. epoch .. '\\n\\n' .. ARGV[3])
  return {epoch}
end
local now = now_ms()
offset = offset + 1
local id = int(offset) .. '-0'
redis.call('XADD', log, 'MAXLEN', '~', ARGV[5], id, 'b', ARGV[3], 't', int(now))
redis.call('HSET', meta, 'o', offset)
local age = tonumber(ARGV[6])
if age > 0 then
  -- Ids are offsets, not times, so MINID gets the first entry young enough. The work per
  -- publish is bounded (one batch); an idle stream is dropped whole by its expiry.
  local cutoff = now - age
  local head = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)[1]
  if head and tonumber(field(head, 't')) < cutoff then
    local batch = redis.call('XRANGE', log, '-', '+', 'COUNT', 128)
    local keep = nil
    for _, entry in ipairs(batch) do
      if tonumber(field(entry, 't')) >= cutoff then keep = entry[1] break end
    end
    if not keep then keep = int(tonumber(string.match(batch[#batch][1], '^(%d+)')) + 1) .. '-0' end
    redis.call('XTRIM', log, 'MINID', keep)
  end
  redis.call('PEXPIRE', log, age)
elseif channelTtl > 0 then
  redis.call('PEXPIRE', log, channelTtl)
end
if ARGV[8] ~= '1' then
  redis.call('PUBLISH', ARGV[1], 'm' .. epoch .. '\\n' .. int(offset) .. '\\n' .. ARGV[3])
end
return {epoch, offset}
`);

/**
 * Position. KEYS: meta, log. ARGV: candidate epoch, channel ttl, acked (as in publish).
 * Returns `{epoch, offset}`.
 */
export const positionScript = new Script(`
local epoch, offset = ensure(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), ARGV[3])
return {epoch, offset}
`);

/**
 * History. KEYS: meta, log. ARGV: candidate epoch, channel ttl, since epoch, since offset,
 * history age (ms, 0 = none), limit (-1 = none), acked (as in publish). Returns `{epoch,
 * offset, recovered (0/1), id1, body1, ...}` with at most `limit` entries, oldest first.
 */
export const historyScript = new Script(`
local epoch, offset = ensure(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), ARGV[7])
local since = tonumber(ARGV[4])
local limit = tonumber(ARGV[6])
if epoch ~= ARGV[3] or since > offset then return {epoch, offset, 0} end
if since == offset then return {epoch, offset, 1} end
local firstId = int(since + 1) .. '-0'
local entries
if limit < 0 then
  entries = redis.call('XRANGE', KEYS[2], firstId, '+')
else
  -- One entry at least: whether history still reaches back is read from the first.
  entries = redis.call('XRANGE', KEYS[2], firstId, '+', 'COUNT', math.max(limit, 1))
end
local first = entries[1]
if not first or first[1] ~= firstId then return {epoch, offset, 0} end
local age = tonumber(ARGV[5])
if age > 0 and tonumber(field(first, 't')) < now_ms() - age then return {epoch, offset, 0} end
local reply = {epoch, offset, 1}
if limit == 0 then return reply end
for _, entry in ipairs(entries) do
  reply[#reply + 1] = entry[1]
  reply[#reply + 1] = field(entry, 'b')
end
return reply
`);

/**
 * Recent. KEYS: meta, log. ARGV: candidate epoch, channel ttl, history age (ms, 0 = none),
 * limit, acked (as in publish). Returns `{epoch, offset, id1, body1, ...}`: the last `limit`
 * entries young enough, oldest first.
 */
export const recentScript = new Script(`
local epoch, offset = ensure(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), ARGV[5])
local reply = {epoch, offset}
local limit = tonumber(ARGV[4])
if limit <= 0 then return reply end
local entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', limit)
local age = tonumber(ARGV[3])
local cutoff = now_ms() - age
for i = #entries, 1, -1 do
  local entry = entries[i]
  if age <= 0 or tonumber(field(entry, 't')) >= cutoff then
    reply[#reply + 1] = entry[1]
    reply[#reply + 1] = field(entry, 'b')
  end
end
return reply
`);

/**
 * Presence set. KEYS: members, leases, version. ARGV: events channel, conn, encoded member,
 * tag ('j'/'u'), lease (ms).
 */
export const presenceSetScript = new Script(`
local lease = tonumber(ARGV[5])
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], int(now_ms() + lease), ARGV[2])
local version = redis.call('INCR', KEYS[3])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], lease * 3) end
redis.call('PUBLISH', ARGV[1], ARGV[4] .. version .. '\\n' .. ARGV[3])
return 1
`);

/**
 * Presence leave. KEYS: members, leases, version. ARGV: events channel, conn, lease (ms).
 * Returns 1 if it was present.
 */
export const presenceLeaveScript = new Script(`
local member = redis.call('HGET', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
if not member then return 0 end
redis.call('HDEL', KEYS[1], ARGV[2])
local version = redis.call('INCR', KEYS[3])
if redis.call('PTTL', KEYS[3]) < 0 then redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[3]) * 3) end
redis.call('PUBLISH', ARGV[1], 'l' .. version .. '\\n' .. member)
return 1
`);

/**
 * Presence members, after reaping expired leases (each reaped member is published as a
 * leave). KEYS: members, leases, version, meta. ARGV: events channel, '1' to return the
 * members, channel ttl (ms; touches meta when it exists, so a watched channel keeps its
 * epoch), lease (ms). Returns `{version, member...}`, or the number reaped.
 */
export const presenceMembersScript = new Script(`
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. int(now_ms()), 'LIMIT', 0, 1000)
for _, conn in ipairs(dead) do
  local member = redis.call('HGET', KEYS[1], conn)
  redis.call('ZREM', KEYS[2], conn)
  if member then
    redis.call('HDEL', KEYS[1], conn)
    local version = redis.call('INCR', KEYS[3])
    if redis.call('PTTL', KEYS[3]) < 0 then redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[4]) * 3) end
    redis.call('PUBLISH', ARGV[1], 'l' .. version .. '\\n' .. member)
  end
end
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('PEXPIRE', KEYS[4], ttl) end
if ARGV[2] ~= '1' then return #dead end
local reply = redis.call('HVALS', KEYS[1])
table.insert(reply, 1, tonumber(redis.call('GET', KEYS[3]) or '0'))
return reply
`);

/**
 * Lease refresh for one node's members of a channel. KEYS: members, leases, version.
 * ARGV: lease (ms), conn... Returns the conns Redis no longer holds (reaped or lost), for
 * the node to add again.
 */
export const presenceRefreshScript = new Script(`
local lease = tonumber(ARGV[1])
local expiry = int(now_ms() + lease)
local missing = {}
for i = 2, #ARGV do
  local conn = ARGV[i]
  if redis.call('ZSCORE', KEYS[2], conn) and redis.call('HEXISTS', KEYS[1], conn) == 1 then
    redis.call('ZADD', KEYS[2], 'XX', expiry, conn)
  else
    missing[#missing + 1] = conn
  end
end
if #missing < #ARGV - 1 then
  for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], lease * 3) end
end
return missing
`);
