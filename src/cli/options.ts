/**
 * Argument parsers for commander: each throws InvalidArgumentError naming what is wrong.
 */
import { InvalidArgumentError } from 'commander';

export function integerIn(min: number, max: number): (raw: string) => number {
  return (raw: string) => {
    if (!/^-?\d+$/.test(raw.trim()))
      throw new InvalidArgumentError(`expected an integer, got ${JSON.stringify(raw)}`);
    const n = Number(raw);
    if (n < min || n > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${n}`);
    return n;
  };
}

export function numberIn(min: number, max: number): (raw: string) => number {
  return (raw: string) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n))
      throw new InvalidArgumentError(`expected a number, got ${JSON.stringify(raw)}`);
    if (n < min || n > max)
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}, got ${n}`);
    return n;
  };
}

export function oneOf<T extends string>(allowed: readonly T[]): (raw: string) => T {
  return (raw: string) => {
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
    }
    return raw as T;
  };
}
