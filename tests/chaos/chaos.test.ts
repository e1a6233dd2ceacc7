/**
 * The chaos suite's short form (the long form is `npm run chaos`): one seeded run with every
 * fault kind of src/chaos/schedule.ts exactly once, kill -9 included, against a simulator in
 * this process and the trader as a child process; the invariants are checked against the
 * simulator's core (src/chaos/truth.ts).
 *
 * KNOWN_BREACHES: a breach the suite found in the trader that is not fixed yet (each one in
 * planning/chaos.md, "Findings"). It is printed, not failed on; remove it when it is fixed.
 */
import { describe, expect, it } from 'vitest';
import { chaosReport } from '../../src/chaos/report.js';
import { runChaos } from '../../src/chaos/run.js';
import { FAULT_KINDS } from '../../src/chaos/schedule.js';
import { scratchDatabase } from '../../src/chaos/scratch-db.js';

/**
 * An intent already in ACTING when the operator's halt arrives is still sent (the machine moves
 * to HALTED, but the executeIntent promise runs on): its create can reach the exchange a few
 * hundred ms after the halt was answered.
 */
const KNOWN_BREACHES = new Set(['no order created while not allowed to trade']);

describe('chaos (short seeded run)', () => {
  it('every fault kind once; the trader recovers and the exchange and the record agree', async () => {
    const admin = process.env.TEST_DATABASE_URL?.trim();
    const scratch = admin ? await scratchDatabase(admin, 'chaos') : undefined;
    try {
      const run = await runChaos({
        seed: 3,
        durationMs: 0,
        onePass: true,
        gapMs: [300, 900],
        ...(scratch ? { databaseUrl: scratch.url } : {}),
      });
      const report = chaosReport([run]);
      const known = run.invariants.filter((i) => !i.held && KNOWN_BREACHES.has(i.name));
      if (known.length > 0) console.warn(`known breaches (planning/chaos.md):\n${report}`);
      expect(run.faults.map((f) => f.kind).sort()).toEqual([...FAULT_KINDS].sort());
      expect(
        run.invariants.filter((i) => !i.held && !KNOWN_BREACHES.has(i.name)),
        report,
      ).toEqual([]);
    } finally {
      await scratch?.drop();
    }
  }, 400_000);
});
