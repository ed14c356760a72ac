import type { ServiceDeps } from "../services/deps.ts";
import { runDueFollowUps } from "../services/follow-up.ts";

/** Runs the confirmation follow-up every `intervalMs`, one round at a time. Returns a stop function. */
export function startFollowUpLoop(deps: ServiceDeps, intervalMs: number): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(() =>
      runDueFollowUps(deps).catch((error: unknown) => deps.logger.error({ err: error }, "follow-up round failed")),
    );
  }, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
