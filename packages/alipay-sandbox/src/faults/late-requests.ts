/**
 * Requests a `late-processing` fault holds back: the caller's socket dies without an answer, trade.query finds no
 * trade meanwhile, and the request is processed only when the control API releases it (in arrival order), on the
 * simulated clock of that moment. Its answer goes nowhere: the caller gave up long before.
 */
export type LateRequests = {
  hold(process: (now: Date) => void): void;
  /** Processes every held request now, oldest first; returns how many there were. */
  release(now: Date): number;
  count(): number;
  clear(): void;
};

export function createLateRequests(): LateRequests {
  let held: Array<(now: Date) => void> = [];
  return {
    hold: (process) => void held.push(process),
    release(now) {
      const released = held;
      held = [];
      for (const process of released) process(now);
      return released.length;
    },
    count: () => held.length,
    clear: () => void (held = []),
  };
}
