/**
 * Connection and session ids: 96 random bits as 16 base64url characters. The bits come from
 * the system CSPRNG in blocks of 256 ids (as Node's randomUUID caches its entropy): one
 * `randomBytes(12)` per id cost about 4 µs, twice per connection, on the connect path.
 */
import { randomFillSync } from 'node:crypto';

const ID_BYTES = 12;
const block = Buffer.allocUnsafe(ID_BYTES * 256);
let offset = block.length;

/** A fresh random id; no two calls share bits. */
export function randomId(): string {
  if (offset === block.length) {
    randomFillSync(block);
    offset = 0;
  }
  const id = block.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
