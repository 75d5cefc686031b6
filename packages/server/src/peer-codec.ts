/**
 * The codec as it meets what peers send: whatever `decode` throws becomes BAD_REQUEST (the
 * payload came from the peer), never INTERNAL, and superjson metadata is checked for shape and
 * for the work it would cost before superjson walks it (see `superjsonMetaIssue`).
 */
import { type Codec, isSockkitError, SockkitError, superjsonCodec } from '@sockkit/core';
import { superjsonMetaIssue } from '@sockkit/core/protocol';

export function peerCodec(codec: Codec): Codec {
  const checkMeta = codec === superjsonCodec;
  return {
    encode: (value) => codec.encode(value),
    decode(json, meta) {
      if (checkMeta && meta !== undefined && meta !== null) {
        const issue = superjsonMetaIssue(meta, json);
        if (issue) throw new SockkitError('BAD_REQUEST', `payload metadata: ${issue}`);
      }
      try {
        return codec.decode(json, meta);
      } catch (error) {
        if (isSockkitError(error)) throw error;
        throw new SockkitError('BAD_REQUEST', 'payload could not be decoded', { cause: error });
      }
    },
  };
}
