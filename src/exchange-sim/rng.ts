/**
 * A small seeded pseudo-random generator for the simulator (mulberry32: 32 bits of state, one
 * multiply-xorshift round per draw). Not cryptographic; chosen because it is tiny, fast and gives
 * the same sequence for the same seed on every platform (only 32-bit integer operations).
 *
 * Everything random in the simulator (universe shape, fair values, synthetic participants) draws
 * from an Rng that was handed in, so a seed reproduces a run exactly.
 */

export interface Rng {
  /** The next raw draw: an unsigned 32-bit integer. */
  nextUint32(): number;
  /** A float in [0, 1). */
  float(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** A uniformly chosen element; throws on an empty array (a programmer error). */
  pick<T>(items: readonly T[]): T;
  /** true with probability p (p ≤ 0 never, p ≥ 1 always). */
  chance(p: number): boolean;
  /** Roughly standard normal (mean 0, sd 1): the centred sum of four uniforms, bounded to ±√12. */
  normal(): number;
  /** A roughly normal integer: round(mean + sd × normal()). */
  intNormal(mean: number, sd: number): number;
  /** A new generator seeded from this one's next draw (independent streams per component). */
  fork(): Rng;
}

const TWO_POW_32 = 4_294_967_296;

/** Folds any number (or string) into a 32-bit seed, so callers may use labels or large values. */
export function seedFrom(value: number | string): number {
  if (typeof value === 'number') {
    // Mix both halves of a large integer so e.g. timestamps keep their low and high bits.
    const n = Math.trunc(value);
    const lo = n >>> 0;
    const hi = Math.floor(n / TWO_POW_32) >>> 0;
    return (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
  }
  // FNV-1a over UTF-16 code units.
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createRng(seed: number | string): Rng {
  let state = seedFrom(seed);

  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };

  const float = (): number => nextUint32() / TWO_POW_32;

  const int = (min: number, max: number): number => {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new RangeError(`rng.int: bad range [${min}, ${max}]`);
    }
    return min + Math.floor(float() * (max - min + 1));
  };

  const normal = (): number => (float() + float() + float() + float() - 2) * Math.sqrt(3);

  const rng: Rng = {
    nextUint32,
    float,
    int,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('rng.pick: empty array');
      return items[int(0, items.length - 1)] as T;
    },
    chance(p: number): boolean {
      if (p <= 0) return false;
      if (p >= 1) return true;
      return float() < p;
    },
    normal,
    intNormal(mean: number, sd: number): number {
      return Math.round(mean + sd * normal());
    },
    fork(): Rng {
      return createRng(nextUint32());
    },
  };
  return rng;
}
