import type { Agreement } from "@paysign/contracts/mini";
import { fakeApi, type Route } from "./fake-api.ts";
import { SIGN_STR, active, agreement, agreementId, detail, monthlyPlan, planId, realConfig } from "./fixtures.ts";
import { launchMiniProgram, type HttpReply, type PaySignReply, type RuntimeOptions } from "./mini-runtime.ts";

export const plansReply: HttpReply = { status: 200, body: { items: [monthlyPlan] } };
const createdReply: HttpReply = { status: 201, body: { agreement: agreement(), signStr: SIGN_STR } };

export const signResultReply = (outcome: string, status: Agreement = agreement()): HttpReply => ({
  status: 200,
  body: { agreement: status, outcome },
});

export const detailReply = (base: Agreement = active()): HttpReply => ({ status: 200, body: detail(base) });

/** The routes of one subscription in real mode; override any of them. */
export function subscriptionRoutes(overrides: Record<string, Route | HttpReply | HttpReply[]> = {}) {
  return {
    "GET /api/v1/plans": plansReply,
    "POST /api/v1/agreements": createdReply,
    [`POST /api/v1/agreements/${agreementId}/sign-result`]: signResultReply("SIGNED", active()),
    [`GET /api/v1/agreements/${agreementId}`]: detailReply(),
    ...overrides,
  };
}

/** Launches in real mode, opens the plan's agreement page and taps subscribe; paySignCenter answers `signs` in turn. */
export async function subscribe(options: {
  routes?: Record<string, Route | HttpReply | HttpReply[]>;
  signs?: PaySignReply[];
  runtime?: Partial<RuntimeOptions>;
}) {
  const signs = [...(options.signs ?? [{ resultStatus: "7000", result: '{"signed":true}' }])];
  const rt = await launchMiniProgram({
    config: realConfig,
    http: fakeApi(subscriptionRoutes(options.routes)),
    paySignCenter: () => Promise.resolve(signs.shift() ?? { resultStatus: "6001", result: "" }),
    ...options.runtime,
  });
  await rt.settle();
  const page = await rt.navigate(`/pages/agreement/index?planId=${planId}`);
  await rt.settle();
  page.tap("onSubscribe");
  await rt.settle();
  return { rt, page };
}

export const path = (url: string) => url.replace(/^https?:\/\/[^/]+/, "");
