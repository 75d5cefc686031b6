/**
 * Test people: each name has its own identity token (the secret a browser keeps in
 * localStorage) and so its own user key, as the server derives it.
 */
import { createHash } from 'node:crypto';
import { createSockkitClient, type SockkitClient } from '@sockkit/client/node';
import { contract, type LiveDocsContract } from '../src/contract.js';
import { userKeyOf } from '../src/server/identity.js';

/** A test person's identity token, shaped like a browser's (48 hex digits), the same for Node clients and pages. */
export const tokenOf = (name: string) =>
  createHash('sha256').update(`live-docs test ${name}`).digest('hex').slice(0, 48);
/** The user key the server derives for test person `name`. */
export const userOf = (name: string) => userKeyOf(tokenOf(name));

/** A Node client connected as test person `name`, with `offline: 'reject'`. */
export function connectAs(
  url: string,
  name: string,
  options: { reconnect?: false } = {},
): SockkitClient<LiveDocsContract> {
  return createSockkitClient({
    url,
    contract,
    params: () => ({ token: tokenOf(name), name }),
    offline: 'reject',
    ...options,
  });
}
