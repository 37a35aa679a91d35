import { describeValue, ProbekitError } from '../../errors.js';

/** A stream of pseudo-random numbers in [0, 1). */
export interface Rng {
  next(): number;
}

/** murmur3's 32-bit finaliser: a good avalanche, so neighbouring keys give unrelated seeds. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Hashes a seed and some integer keys into one 32-bit seed. Counter-based: the numbers for
 * (seed, route, request) never depend on what other requests drew, so a decision replays from
 * its seed and index alone.
 *
 * @example
 * hashKeys(42, 0, 7); // the same 32-bit number on every run
 */
export function hashKeys(seed: number, ...keys: number[]): number {
  let h = fmix32(seed ^ 0x9e3779b9);
  for (const key of keys) {
    // Keys may exceed 32 bits (request counts): fold both halves in.
    h = fmix32(h ^ fmix32(key >>> 0));
    h = fmix32(h ^ Math.floor(key / 0x1_0000_0000));
  }
  return h;
}

/**
 * mulberry32: a tiny, fast 32-bit PRNG, plenty for latencies and weighted picks.
 *
 * @example
 * const rng = createRng(42);
 * rng.next(); // 0 <= x < 1, the same sequence for the same seed
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/**
 * The random numbers of one request: a fresh stream keyed by (seed, route, request).
 *
 * @example
 * const u = rngFor(42, 0, 3).next();
 */
export function rngFor(seed: number, route: number, request: number): Rng {
  return createRng(hashKeys(seed, route, request));
}

/**
 * Seeds are whole numbers from 0 to 2^32-1; the default is 0, so runs replay unless told otherwise.
 *
 * @example
 * flakyEndpoint('(200 | 503)...', { seed: DEFAULT_SEED });
 */
export const DEFAULT_SEED = 0;

/**
 * Checks a seed option.
 *
 * @throws {ProbekitError} `ERR_PROBEKIT_INVALID_OPTION` for anything but a whole number in [0, 2^32).
 * @example
 * checkSeed(42); // 42
 */
export function checkSeed(seed: unknown, what = 'seed'): number {
  if (seed === undefined) return DEFAULT_SEED;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to use the ${what} ${describeValue(seed)}: it is not a whole number from 0 to 4294967295. Pass a seed like 42, or leave it out for ${DEFAULT_SEED}.`,
    );
  }
  return seed;
}
