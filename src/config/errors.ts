/**
 * Configuration errors. One ConfigError carries every problem found in one pass, so a person fixes
 * them all at once instead of one per run. Each problem names the option or environment variable
 * and the bad value; none ever carries key material.
 */

export const CONFIG_ERROR_CODES = {
  CONFIG_BAD_VALUE: 'an option or environment variable has a value that is not allowed',
  CONFIG_MISSING: 'a required option or environment variable is not set',
  CONFIG_CONFLICT: 'two options that exclude each other are both set',
  CONFIG_PRODUCTION_NOT_CONFIRMED: 'production was asked for without KALSHI_PRODUCTION_CONFIRMED=true',
  CONFIG_BAD_KEY: 'the private key file cannot be read or is not a usable RSA private key',
} as const;

export type ConfigErrorCode = keyof typeof CONFIG_ERROR_CODES;

export interface ConfigProblem {
  readonly code: ConfigErrorCode;
  /** The option and/or environment variable concerned, e.g. "--markets" or "KALSHI_API_KEY_ID". */
  readonly source: string;
  readonly message: string;
}

export class ConfigError extends Error {
  /** The code of the first problem (all of them are in `problems`). */
  readonly code: ConfigErrorCode;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const first = problems[0];
    if (!first) throw new TypeError('ConfigError needs at least one problem');
    super(
      problems.length === 1
        ? `invalid configuration: ${first.message}`
        : `invalid configuration (${problems.length} problems):\n${problems.map((p) => `  - ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.code = first.code;
    this.problems = problems;
  }
}
