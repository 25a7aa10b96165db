import { createHash } from 'node:crypto';

/**
 * Numbers in [0, 1) drawn from a seed: the same seed gives the same sequence. A conversion draws per-sale random
 * values (Kelkoo's saleId) from its order id, so that a shop's retry of the same order builds the same messages.
 */
export function seededRandom(seed: string): () => number {
  let counter = 0;
  return () => createHash('sha256').update(`${seed}\u0000${counter++}`).digest().readUInt32BE(0) / 2 ** 32;
}
