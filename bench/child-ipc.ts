/**
 * The protocol of the benchmark's child processes (the stack's sandbox, its API, the peers' servers): `start` runs
 * once; its `ready` message goes to the parent over IPC, or `{type: "failed"}`. The child stops on a "stop" message,
 * SIGTERM or when the parent goes away, and exits normally, so `--cpu-prof` writes its profile.
 */
export async function serveChild<Ready extends { type: "ready" }>(
  start: () => Promise<{ ready: Ready; stop: () => Promise<void> }>,
): Promise<void> {
  const send = (message: Ready | { type: "failed"; message: string }) =>
    new Promise<void>((resolve) => process.send?.(message, () => resolve()));
  try {
    const { ready, stop } = await start();
    let stopping = false;
    const stopOnce = () => {
      if (stopping) return;
      stopping = true;
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on("message", (message) => {
      if (message === "stop") stopOnce();
    });
    process.on("disconnect", stopOnce);
    process.on("SIGTERM", stopOnce);
    await send(ready);
  } catch (error) {
    await send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
}
