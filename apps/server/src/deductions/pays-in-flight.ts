import type { Database } from "../db/prisma.ts";

/**
 * The trade.pay calls this process has sent and not yet settled, by out_trade_no. Nothing orders a paid trade's
 * `trade_status_sync` after the pay answer (notifications are asynchronous, and the sandbox sends the first at once:
 * docs/alipay-protocol.md §10.6), so it often arrives while this process is still settling the answer. It then waits
 * for that settle and is recorded against the settled attempt in one statement, instead of taking the attempt's lock
 * in a transaction of its own to find the same answer. Nothing is decided here: after the wait, the notification is
 * handled exactly as it would have been. A pay sent by another process (a worker) is not seen here: its attempt is
 * read again until it is settled, at the pauses of `pauseBeforeRereading`, within the same limit (`rereadDeadline`).
 */
export type PaysInFlight = {
  /** Marks the pay of `outTradeNo` in flight; answers the function that ends it (call it once the answer is settled or has failed). */
  begin(outTradeNo: string): () => void;
  /**
   * Resolves once no pay of `outTradeNo` is in flight here, but no later than `PAY_SETTLE_WAIT_MS` after that pay
   * was sent: true when it was settled (or none was in flight), false when the limit ended the wait.
   */
  waitForSettle(outTradeNo: string): Promise<boolean>;
};

/**
 * How long after its pay was sent a notification waits for the answer to be settled here, in ms: ours, not Alipay's.
 * A settle normally follows the answer by a few milliseconds; a pay still unanswered by then (a slow or lost answer)
 * holds no notification longer than that.
 */
export const PAY_SETTLE_WAIT_MS = 1_000;

const registries = new WeakMap<Database, PaysInFlight>();

/** The registry of the pays sent through `db` by this process (the notifications read it through the same `db`). */
export function paysInFlight(db: Database): PaysInFlight {
  const known = registries.get(db);
  if (known) return known;
  const created = createPaysInFlight();
  registries.set(db, created);
  return created;
}

type Entry = { sentAt: number; done: Promise<void>; end: () => void };

/** A registry of its own (paysInFlight keeps one per database). */
export function createPaysInFlight(): PaysInFlight {
  const inFlight = new Map<string, Entry>();
  return {
    begin(outTradeNo) {
      let end = () => {};
      const done = new Promise<void>((resolve) => {
        end = resolve;
      });
      const entry: Entry = { sentAt: performance.now(), done, end };
      inFlight.set(outTradeNo, entry);
      return () => {
        if (inFlight.get(outTradeNo) === entry) inFlight.delete(outTradeNo);
        entry.end();
      };
    },
    async waitForSettle(outTradeNo) {
      const entry = inFlight.get(outTradeNo);
      if (!entry) return true;
      const left = entry.sentAt + PAY_SETTLE_WAIT_MS - performance.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), left);
      });
      const settled = await Promise.race([entry.done.then(() => true as const), limit]);
      clearTimeout(timer);
      return settled;
    },
  };
}

/** The pauses between reads of an attempt whose pay another process is settling, in ms, then the last one again. */
const REREAD_PAUSES_MS = [20, 50, 100, 200] as const;

/**
 * Until when (`performance.now()` ms) an attempt PROCESSING since `processingSince` (its requestedAt: claimed, its pay
 * sent just after) is read again, as seen at `now` by the clock that wrote it: `PAY_SETTLE_WAIT_MS` after it was
 * claimed, and never longer than that from `at` — another process's clock may be ahead of this one, or the sandbox's
 * moved back.
 */
export function rereadDeadline(processingSince: Date, now: Date, at = performance.now()): number {
  const left = processingSince.getTime() + PAY_SETTLE_WAIT_MS - now.getTime();
  return at + Math.min(PAY_SETTLE_WAIT_MS, left);
}

/**
 * How long to pause before reading again after `reads` reads (from 1): 20, 50, 100, 200, 200… ms, never past
 * `deadline` (rereadDeadline); undefined once it has passed.
 */
export function pauseBeforeRereading(deadline: number, reads: number, at = performance.now()): number | undefined {
  const left = deadline - at;
  if (left <= 0) return undefined;
  const pause = REREAD_PAUSES_MS[Math.min(reads, REREAD_PAUSES_MS.length) - 1] ?? REREAD_PAUSES_MS[0];
  return Math.min(left, pause);
}
