import type { Database } from "../db/prisma.ts";

/**
 * The trade.pay calls this process has sent and not yet settled, by out_trade_no. Alipay sends a paid trade's
 * `trade_status_sync` as it answers the pay call, so the notification often arrives while its own process is still
 * settling the answer; it then waits for that settle (at most `PAY_SETTLE_WAIT_MS`) and is recorded against the
 * settled attempt in one statement, instead of taking the attempt's lock in a transaction of its own to find the same
 * answer. Nothing is decided here: after the wait, the notification is handled exactly as it would have been.
 * A pay sent by another process (a worker) is not seen: its notification takes the locked path, as before.
 */
export type PaysInFlight = {
  /** Marks the pay of `outTradeNo` in flight; the answer ends it (call it once the pay answer is settled). */
  begin(outTradeNo: string): () => void;
  /** Resolves when no pay of `outTradeNo` is in flight in this process, or after `PAY_SETTLE_WAIT_MS`. */
  settled(outTradeNo: string): Promise<void>;
};

/**
 * How long a notification waits for its pay answer to be settled here: ours, not Alipay's (which documents no answer
 * time for notifications); the answer follows the notification by milliseconds, and a longer wait would only hold
 * the notification's HTTP request open.
 */
export const PAY_SETTLE_WAIT_MS = 1_000;

const registries = new WeakMap<Database, PaysInFlight>();

/** The registry of one database's pays (one per process and database, as its statements are). */
export function paysInFlight(db: Database): PaysInFlight {
  const known = registries.get(db);
  if (known) return known;
  const created = createPaysInFlight();
  registries.set(db, created);
  return created;
}

/** A registry of its own (paysInFlight keeps one per database). */
export function createPaysInFlight(): PaysInFlight {
  const inFlight = new Map<string, { done: Promise<void>; end: () => void }>();
  return {
    begin(outTradeNo) {
      let end = () => {};
      const done = new Promise<void>((resolve) => {
        end = resolve;
      });
      const entry = { done, end };
      inFlight.set(outTradeNo, entry);
      return () => {
        if (inFlight.get(outTradeNo) === entry) inFlight.delete(outTradeNo);
        entry.end();
      };
    },
    async settled(outTradeNo) {
      const entry = inFlight.get(outTradeNo);
      if (!entry) return;
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, PAY_SETTLE_WAIT_MS);
      });
      await Promise.race([entry.done, waited]);
      clearTimeout(timer);
    },
  };
}
