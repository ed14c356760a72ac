import { describe, expect, test } from "vitest";
import { agreementDetailSchema, agreementSchema, chargeSchema, sessionSchema } from "../src/index.ts";

const agreement = {
  id: "0b5c6f0e-8d53-4c1a-9a57-3f6f3c1e2d10",
  externalAgreementNo: "PS0B5C6F0E8D534C1A9A573F6F3C1E2D",
  status: "ACTIVE",
  planId: "6a1f3b7c-1d2e-4f50-8a9b-0c1d2e3f4a5b",
  agreementNo: "20215607750930630440",
  periodType: "MONTH",
  period: 1,
  singleAmount: "19.90",
  totalAmount: null,
  totalPayments: 12,
  executeTime: "2024-02-01",
  nextDeductDate: "2024-03-01",
  paymentsCount: 1,
  signedAt: "2024-02-01T10:00:00.000+08:00",
  createdAt: "2024-02-01T09:59:00.000+08:00",
  updatedAt: "2024-02-01T10:00:01.000Z",
};

const charge = {
  id: "9d2c1b0a-8f7e-4d6c-9b5a-4f3e2d1c0b9a",
  agreementId: agreement.id,
  dueDate: "2024-02-01",
  amount: "19.90",
  status: "SUCCEEDED",
  outTradeNo: "PS20240201A",
  tradeNo: "2024020122001432790585666965",
  paidAt: "2024-02-01T10:00:02.000+08:00",
  failureCode: null,
  failureReason: null,
  createdAt: "2024-02-01T10:00:01.000+08:00",
  updatedAt: "2024-02-01T10:00:02.000+08:00",
};

describe("resources as the API returns them", () => {
  test("an agreement with a charge and an event", () => {
    const detail = {
      ...agreement,
      charges: [charge],
      events: [
        {
          id: "1d2c1b0a-8f7e-4d6c-9b5a-4f3e2d1c0b9a",
          agreementId: agreement.id,
          fromStatus: "PENDING",
          toStatus: "ACTIVE",
          source: "NOTIFICATION",
          reason: "dut_user_sign NORMAL",
          createdAt: "2024-02-01T10:00:00.000+08:00",
        },
      ],
    };
    expect(agreementDetailSchema.parse(detail)).toEqual(detail);
  });

  test.each([
    [
      "a PENDING agreement before Alipay knows it",
      { status: "PENDING", agreementNo: null, nextDeductDate: null },
      true,
    ],
    ["an agreement number 33 characters long", { externalAgreementNo: "A".repeat(33) }, false],
    ["an Alipay status instead of ours", { status: "NORMAL" }, false],
    ["a next deduct date with a time", { nextDeductDate: "2024-03-01 00:00:00" }, false],
    ["a createdAt without offset", { createdAt: "2024-02-01T09:59:00" }, false],
    ["an amount with one decimal", { singleAmount: "19.9" }, false],
    ["agreementNo missing instead of null", { agreementNo: undefined }, false],
  ])("%s", (_name, change, valid) => {
    expect(agreementSchema.safeParse({ ...agreement, ...change }).success).toBe(valid);
  });

  test("a charge's status is one of the six", () => {
    expect(chargeSchema.safeParse(charge).success).toBe(true);
    expect(chargeSchema.safeParse({ ...charge, status: "TRADE_SUCCESS" }).success).toBe(false);
    expect(chargeSchema.safeParse({ ...charge, outTradeNo: null, tradeNo: null }).success).toBe(true);
  });

  test("a session carries the token and the customer", () => {
    const session = {
      token: "eyJhbGciOi",
      expiresAt: "2024-02-08T10:00:00.000+08:00",
      customer: {
        id: agreement.id,
        alipayUserId: "2088102150477652",
        alipayOpenId: null,
        createdAt: agreement.createdAt,
      },
    };
    expect(sessionSchema.parse(session)).toEqual(session);
  });
});
