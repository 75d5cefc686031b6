/**
 * Test people: each name has its own identity token (the secret a browser keeps in
 * localStorage) and so its own user key, as the server derives it.
 */
import { createSockkitClient, type SockkitClient } from '@sockkit/client/node';
import { contract, type LiveDocsContract } from '../src/contract.js';
import { userKeyOf } from '../src/server/identity.js';

/** A test person's identity token (the secret a browser keeps): `name` padded to 16 characters. */
export const tokenOf = (name: string) => `${name}-token`.padEnd(16, '0');
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
