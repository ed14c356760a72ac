import { afterEach, describe, expect, test, vi } from "vitest";
import { createPaysInFlight, PAY_SETTLE_WAIT_MS } from "../src/deductions/pays-in-flight.ts";

afterEach(() => {
  vi.useRealTimers();
});

/** Whether `promise` has settled by the time every queued microtask has run. */
async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe("pays in flight", () => {
  test("no pay in flight: answers at once", async () => {
    vi.useFakeTimers();
    expect(await hasSettled(createPaysInFlight().settled("T1"))).toBe(true);
  });

  test("a pay in flight: answers when it ends, not before", async () => {
    vi.useFakeTimers();
    const pays = createPaysInFlight();
    const end = pays.begin("T1");
    const waited = pays.settled("T1");
    expect(await hasSettled(waited)).toBe(false);
    expect(await hasSettled(pays.settled("T2"))).toBe(true);
    end();
    expect(await hasSettled(waited)).toBe(true);
    expect(await hasSettled(pays.settled("T1"))).toBe(true);
  });

  test("a pay that does not end: the wait gives up after PAY_SETTLE_WAIT_MS", async () => {
    vi.useFakeTimers();
    const pays = createPaysInFlight();
    pays.begin("T1");
    const waited = pays.settled("T1");
    await vi.advanceTimersByTimeAsync(PAY_SETTLE_WAIT_MS - 1);
    expect(await hasSettled(waited)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await hasSettled(waited)).toBe(true);
  });

  test("the same out_trade_no sent again: the earlier pay's end leaves the later one in flight", async () => {
    vi.useFakeTimers();
    const pays = createPaysInFlight();
    const endEarlier = pays.begin("T1");
    const endLater = pays.begin("T1");
    endEarlier();
    const waited = pays.settled("T1");
    expect(await hasSettled(waited)).toBe(false);
    endLater();
    expect(await hasSettled(waited)).toBe(true);
  });
});
