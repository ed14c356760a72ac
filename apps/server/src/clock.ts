/**
 * The server's notion of now. Production reads the system clock; with the sandbox (`pnpm dev`, `pnpm demo`, tests)
 * it follows the sandbox's simulated time, so one `POST /sandbox/clock` moves sessions, follow-ups and deduction
 * windows together.
 */
export type Clock = { now(): Promise<Date> };

export const systemClock: Clock = { now: () => Promise.resolve(new Date()) };

/** A sandbox in this process (pnpm dev, the demo, tests): read its simulated clock directly. */
export function inProcessSandboxClock(sandbox: { now(): Date }): Clock {
  return { now: () => Promise.resolve(sandbox.now()) };
}

/** Asks the sandbox each time: a moved clock is seen at once (it is a loopback call in development only). */
export function sandboxClock(sandboxUrl: string): Clock {
  return {
    async now() {
      const response = await fetch(new URL("/sandbox/clock", sandboxUrl));
      if (!response.ok) throw new Error(`The sandbox clock answered ${response.status}`);
      const { now } = (await response.json()) as { now: string };
      return new Date(now);
    },
  };
}
