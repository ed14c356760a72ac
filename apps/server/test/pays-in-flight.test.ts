import { afterEach, describe, expect, test, vi } from "vitest";
import {
  createPaysInFlight,
  PAY_SETTLE_WAIT_MS,
  pauseBeforeRereading,
  rereadDeadline,
} from "../src/deductions/pays-in-flight.ts";

afterEach(() => {
  vi.useRealTimers();
});

/** `promise`'s value once every queued microtask has run, or "pending". */
async function stateOf<T>(promise: Promise<T>): Promise<T | "pending"> {
  let state: T | "pending" = "pending";
  void promise.then((value) => {
    state = value;
  });
  await vi.advanceTimersByTimeAsync(0);
  return state;
}

describe("pays in flight", () => {
  test("no pay in flight: answers true at once", async () => {
    vi.useFakeTimers();
    expect(await stateOf(createPaysInFlight().waitForSettle("T1"))).toBe(true);
  });

  test("a pay in flight: answers true when it ends, not before, and leaves no timer", async () => {
    vi.useFakeTimers();
    const pays = createPaysInFlight();
    const end = pays.begin("T1");
    const waited = pays.waitForSettle("T1");
    expect(await stateOf(waited)).toBe("pending");
    expect(await stateOf(pays.waitForSettle("T2"))).toBe(true);
    end();
    expect(await stateOf(waited)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(await stateOf(pays.waitForSettle("T1"))).toBe(true);
  });

  test("a pay that does not end: the wait ends PAY_SETTLE_WAIT_MS after the pay was sent, answering false", async () => {
    vi.useFakeTimers();
    const pays = createPaysInFlight();
    pays.begin("T1");
    await vi.advanceTimersByTimeAsync(600);
    const waited = pays.waitForSettle("T1");
    await vi.advanceTimersByTimeAsync(PAY_SETTLE_WAIT_MS - 600 - 1);
    expect(await stateOf(waited)).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(await stateOf(waited)).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await stateOf(pays.waitForSettle("T1"))).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("the same out_trade_no sent again: the earlier pay's end leaves the later one in flight", async () => {
    vi.useFakeTimers();
    const pays = createPaysInFlight();
    const endEarlier = pays.begin("T1");
    const endLater = pays.begin("T1");
    endEarlier();
    const waited = pays.waitForSettle("T1");
    expect(await stateOf(waited)).toBe("pending");
    endLater();
    expect(await stateOf(waited)).toBe(true);
  });
});

describe("another process's pay: pauses before reading its attempt again", () => {
  const claimed = new Date("2028-05-08T01:00:00.000Z");
  const at = (ms: number) => new Date(claimed.getTime() + ms);

  test("20, 50, 100, 200 ms, then 200 ms again", () => {
    const deadline = rereadDeadline(claimed, at(10), 0);
    expect(deadline).toBe(PAY_SETTLE_WAIT_MS - 10);
    expect([1, 2, 3, 4, 5, 6].map((reads) => pauseBeforeRereading(deadline, reads, 0))).toEqual([
      20, 50, 100, 200, 200, 200,
    ]);
  });

  test("never past PAY_SETTLE_WAIT_MS after the attempt was claimed, and none once that has passed", () => {
    expect(pauseBeforeRereading(rereadDeadline(claimed, at(PAY_SETTLE_WAIT_MS - 30), 0), 4, 0)).toBe(30);
    expect(pauseBeforeRereading(rereadDeadline(claimed, at(PAY_SETTLE_WAIT_MS), 0), 1, 0)).toBeUndefined();
    expect(pauseBeforeRereading(rereadDeadline(claimed, at(PAY_SETTLE_WAIT_MS + 5_000), 0), 1, 0)).toBeUndefined();
  });

  test("a claim stamped ahead of this clock (another host's, or a sandbox clock moved back) waits no longer than the limit", () => {
    const deadline = rereadDeadline(claimed, at(-3_600_000), 500);
    expect(deadline).toBe(500 + PAY_SETTLE_WAIT_MS);
    expect(pauseBeforeRereading(deadline, 9, 500 + PAY_SETTLE_WAIT_MS)).toBeUndefined();
  });
});
