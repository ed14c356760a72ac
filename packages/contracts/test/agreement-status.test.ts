import { describe, expect, test } from "vitest";
import {
  AGREEMENT_STATUSES,
  AGREEMENT_STATUS_LABELS,
  TERMINAL_AGREEMENT_STATUSES,
  agreementStatusFromAlipay,
  canTransition,
  isTerminalAgreementStatus,
  type AgreementStatus,
} from "../src/index.ts";

/** docs/product.md §5, written out pair by pair: every other pair must be refused. */
const allowed: ReadonlyArray<[AgreementStatus, AgreementStatus]> = [
  ["PENDING", "ACTIVE"],
  ["PENDING", "TEMP"],
  ["PENDING", "FAILED"],
  ["PENDING", "ABANDONED"],
  ["PENDING", "UNSIGNED"],
  ["TEMP", "ACTIVE"],
  ["TEMP", "UNSIGNED"],
  ["TEMP", "EXPIRED"],
  ["ACTIVE", "PAUSED"],
  ["ACTIVE", "UNSIGNED"],
  ["ACTIVE", "EXPIRED"],
  ["ACTIVE", "COMPLETED"],
  ["PAUSED", "ACTIVE"],
  ["PAUSED", "UNSIGNED"],
  ["PAUSED", "EXPIRED"],
];

describe("agreement lifecycle", () => {
  const pairs = AGREEMENT_STATUSES.flatMap((from) => AGREEMENT_STATUSES.map((to) => [from, to] as const));

  test.each(pairs)("%s → %s follows the table", (from, to) => {
    const expected = allowed.some(([a, b]) => a === from && b === to);
    expect(canTransition(from, to)).toBe(expected);
  });

  test.each(TERMINAL_AGREEMENT_STATUSES)("%s is terminal: nothing leaves it, not even a retried sign", (status) => {
    expect(isTerminalAgreementStatus(status)).toBe(true);
    expect(AGREEMENT_STATUSES.filter((to) => canTransition(status, to))).toEqual([]);
  });

  test("the non-terminal states are exactly PENDING, TEMP, ACTIVE and PAUSED", () => {
    expect(AGREEMENT_STATUSES.filter((status) => !isTerminalAgreementStatus(status))).toEqual([
      "PENDING",
      "TEMP",
      "ACTIVE",
      "PAUSED",
    ]);
  });

  test("no state moves to itself or back to PENDING", () => {
    for (const status of AGREEMENT_STATUSES) {
      expect(canTransition(status, status)).toBe(false);
      expect(canTransition(status, "PENDING")).toBe(false);
    }
  });

  test("Alipay statuses map onto local ones", () => {
    expect(agreementStatusFromAlipay("NORMAL")).toBe("ACTIVE");
    expect(agreementStatusFromAlipay("TEMP")).toBe("TEMP");
    expect(agreementStatusFromAlipay("STOP")).toBe("PAUSED");
    expect(agreementStatusFromAlipay("UNSIGN")).toBe("UNSIGNED");
  });

  test("every status has a Chinese and an English label", () => {
    for (const status of AGREEMENT_STATUSES) {
      expect(AGREEMENT_STATUS_LABELS[status].zh).not.toBe("");
      expect(AGREEMENT_STATUS_LABELS[status].en).not.toBe("");
    }
  });
});
