import { describe, expect, test } from "vitest";
import { worstCaseCallMs } from "../src/alipay/call-duration.ts";
import { SWEEP_GATEWAY_CALLS, sweepHoldMs } from "../src/services/agreement-sweep.ts";

describe("the agreement sweep's claim", () => {
  test("outlasts every gateway call one sweep can make, each at its worst case, with a margin", () => {
    expect(SWEEP_GATEWAY_CALLS).toBeGreaterThanOrEqual(4);
    for (const timeoutMs of [1_000, 3_000, 10_000, 60_000]) {
      const calls = SWEEP_GATEWAY_CALLS * worstCaseCallMs(timeoutMs);
      expect(sweepHoldMs(timeoutMs)).toBeGreaterThan(calls);
      expect(sweepHoldMs(timeoutMs)).toBeLessThanOrEqual(calls + 5 * 60_000);
    }
    // The default ALIPAY_TIMEOUT_MS (3 s): 4 × 2 × (10 s + 6 s) = 128 s of calls, more than the old 60 s hold.
    expect(sweepHoldMs(3_000)).toBeGreaterThan(128_000);
  });
});
