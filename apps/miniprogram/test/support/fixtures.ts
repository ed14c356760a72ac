import type { Agreement, AgreementDetail, Charge, ErrorCode, Plan } from "@paysign/contracts/mini";
import { ERROR_HTTP_STATUS } from "@paysign/contracts/mini";
import type { BuildConfig } from "../../src/config.ts";
import type { HttpReply } from "./mini-runtime.ts";

export const API = "https://api.test";
export const SANDBOX = "http://sandbox.test";

export const realConfig: BuildConfig = { mode: "real", apiBaseUrl: API, sandboxUrl: null, pollDelaysMs: [1, 1, 1] };
export const devConfig: BuildConfig = {
  mode: "development",
  apiBaseUrl: API,
  sandboxUrl: SANDBOX,
  pollDelaysMs: [1, 1, 1],
};

export const planId = "6f1c4a52-0d3b-4c1e-9a53-000000000001";
export const agreementId = "0b6f5a43-7a55-4a4e-8d0f-3a1f2b9c0001";

export const monthlyPlan: Plan = {
  id: planId,
  name: "月度会员",
  description: "每月自动续费",
  productCode: "GENERAL_WITHHOLDING",
  personalProductCode: "CYCLE_PAY_AUTH_P",
  signScene: "INDUSTRY|DIGITAL_MEDIA",
  periodType: "MONTH",
  period: 1,
  singleAmount: "19.90",
  totalAmount: null,
  totalPayments: 12,
  firstChargeDelayDays: 0,
  effectType: "DIRECT",
  signValidityPeriod: null,
  active: true,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};

export function agreement(overrides: Partial<Agreement> = {}): Agreement {
  return {
    id: agreementId,
    externalAgreementNo: "PS20260105000000000001",
    status: "PENDING",
    planId,
    agreementNo: null,
    periodType: "MONTH",
    period: 1,
    singleAmount: "19.90",
    totalAmount: null,
    totalPayments: 12,
    executeTime: "2026-01-05",
    nextDeductDate: null,
    paymentsCount: 0,
    signedAt: null,
    createdAt: "2026-01-05T02:00:00.000Z",
    updatedAt: "2026-01-05T02:00:00.000Z",
    ...overrides,
  };
}

export const active = (overrides: Partial<Agreement> = {}) =>
  agreement({
    status: "ACTIVE",
    agreementNo: "20265605000000000001",
    nextDeductDate: "2026-01-05",
    signedAt: "2026-01-05T02:01:00.000Z",
    ...overrides,
  });

export function charge(overrides: Partial<Charge> = {}): Charge {
  return {
    id: "c0000000-0000-4000-8000-000000000001",
    agreementId,
    dueDate: "2026-01-05",
    amount: "19.90",
    status: "SUCCEEDED",
    outTradeNo: "T1",
    tradeNo: "2026010522001",
    paidAt: "2026-01-05T02:05:00.000Z",
    failureCode: null,
    failureReason: null,
    createdAt: "2026-01-05T02:05:00.000Z",
    updatedAt: "2026-01-05T02:05:00.000Z",
    ...overrides,
  };
}

export function detail(base: Agreement, charges: Charge[] = []): AgreementDetail {
  return { ...base, charges, events: [] };
}

export function errorReply(code: ErrorCode, message = `${code} from the test`): HttpReply {
  return { status: ERROR_HTTP_STATUS[code], body: { error: { code, message, requestId: "req-42" } } };
}

export const SIGN_STR = "alipay_sdk%3Dalipay-sdk-nodejs-4.14.0%26app_id%3D2021000000000042%26biz_content%3D%257B%257D";
