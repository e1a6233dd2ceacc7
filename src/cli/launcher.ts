/**
 * The launcher's exit as a stop request, for the long-running commands (start, exchange-sim).
 *
 * Started through npm (`npx traderv3 …`, `npm exec`, `npm run`), a command runs under npm →
 * `sh -c` → node. A SIGTERM to npm reaches only the shell, which dies and leaves the command
 * orphaned (a trader trading, a simulator holding its port). So when npm launched us, the
 * launcher's death is a stop request too: the parent process id is watched and a change (we were
 * re-parented) calls `onExit`. Not done otherwise: `nohup traderv3 start &` must survive its shell.
 */
export function watchLauncher(onExit: () => void, env = process.env, intervalMs = 250): () => void {
  if (env.npm_command === undefined && env.npm_lifecycle_event === undefined) return () => undefined;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onExit();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
