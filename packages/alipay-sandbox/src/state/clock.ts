import type { StateStore } from "./store.ts";

/**
 * The simulated clock: real time plus an offset kept in state, so it starts at real time, runs with it, and can be
 * set to any instant. Deduction windows, Alipay timestamps and notification times all read it.
 */
export type SandboxClock = {
  now(): Date;
  set(instant: Date): void;
  onChange(listener: () => void): void;
};

export function createSandboxClock(store: StateStore): SandboxClock {
  const listeners: Array<() => void> = [];
  return {
    now: () => new Date(Date.now() + store.state.clockOffsetMs),
    set(instant) {
      store.state.clockOffsetMs = instant.getTime() - Date.now();
      store.save();
      for (const listener of listeners) listener();
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
