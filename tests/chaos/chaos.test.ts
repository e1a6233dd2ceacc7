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
 * Breaches found and not fixed yet, printed rather than failed on (planning/chaos.md, "Findings").
 * Empty: every finding so far is fixed, so every invariant must hold.
 */
const KNOWN_BREACHES = new Set<string>();

describe('chaos (short seeded run)', () => {
  it('every fault kind once; the trader recovers and the exchange and the record agree', async () => {
    const admin = process.env.TEST_DATABASE_URL?.trim();
    const scratch = admin ? await scratchDatabase(admin, 'chaos') : undefined;
    try {
      const run = await runChaos({
        seed: 3,
        durationMs: 0,
        onePass: true,
        // A big account's calibration check (the newest fills after the balance, not the positions
        // twice): every small-account test elsewhere takes the other path.
        calibrationPageSize: 2,
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
