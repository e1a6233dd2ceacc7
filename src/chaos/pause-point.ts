/**
 * Test-only pause points for the kill -9 matrix: with `TRADERV3_TEST_PAUSE_AT=<name>` in the
 * environment, the code path that calls `pausePoint(<name>)` writes one JSON line
 * `{"event":"test_pause","at":"<name>","subject":…}` to stdout and then waits for ever, so a test can
 * SIGKILL the process at exactly that point. Without the variable (every real run) it is a
 * resolved promise and nothing else.
 *
 * The points (one line each where they are called):
 *  - `order.send` (subject: the client_order_id): in OrderService.#submit, after the write-ahead
 *    commit, before the create request.
 */
export function pausePoint(name: string, subject?: string): Promise<void> | undefined {
  if (process.env.TRADERV3_TEST_PAUSE_AT !== name) return undefined;
  const line = { event: 'test_pause', at: name, subject, time: new Date().toISOString() };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return new Promise<void>(() => undefined);
}
