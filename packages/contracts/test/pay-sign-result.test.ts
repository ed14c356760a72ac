import { describe, expect, test } from "vitest";
import { PAY_SIGN_RESULTS, PAY_SIGN_RESULT_STATUSES, isPaySignResultStatus, signOutcomeOf } from "../src/index.ts";

describe("paySignCenter result statuses", () => {
  test.each([
    ["7000", "CONFIRM_WITH_SERVER"],
    ["7001", "SERVER_CHECKS"],
    ["6001", "SERVER_CHECKS"],
    ["7002", "SHOW_FAILURE"],
    ["6002", "RETRY"],
  ] as const)("%s → %s", (status, nextStep) => {
    expect(PAY_SIGN_RESULTS[status].nextStep).toBe(nextStep);
    expect(PAY_SIGN_RESULTS[status].zh).not.toBe("");
    expect(PAY_SIGN_RESULTS[status].en).not.toBe("");
  });

  test("codes are strings: the number 7000 and unknown codes are not statuses", () => {
    expect(PAY_SIGN_RESULT_STATUSES.every((status) => typeof status === "string")).toBe(true);
    expect(isPaySignResultStatus("7000")).toBe(true);
    expect(isPaySignResultStatus("9000")).toBe(false);
    expect(isPaySignResultStatus(String(7000.5))).toBe(false);
  });

  test("what the client shows follows the agreement, not the reported code", () => {
    expect(signOutcomeOf("ACTIVE", "6001")).toBe("SIGNED");
    expect(signOutcomeOf("TEMP", "7000")).toBe("SIGNED");
    expect(signOutcomeOf("PENDING", "7000")).toBe("CONFIRMING");
    expect(signOutcomeOf("PENDING", "7001")).toBe("CONFIRMING");
    expect(signOutcomeOf("PENDING", "6002")).toBe("RETRY");
    expect(signOutcomeOf("FAILED", "7002")).toBe("FAILED");
    expect(signOutcomeOf("UNSIGNED", "7000")).toBe("NOT_SIGNED");
    expect(signOutcomeOf("ABANDONED", "6001")).toBe("NOT_SIGNED");
  });
});
