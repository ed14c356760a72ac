import type { CustomerRefund } from "@paysign/contracts/mini";
import { afterEach, describe, expect, test, vi } from "vitest";
import { ERROR_TEXT } from "../src/services/api-error.ts";
import { fakeApi } from "./support/fake-api.ts";
import { errorReply, active, agreementId, charge, detail, monthlyPlan, realConfig } from "./support/fixtures.ts";
import { path, plansReply, subscribe, subscriptionRoutes } from "./support/flows.ts";
import { alipayFailure, launchMiniProgram, networkFailure, type HttpReply } from "./support/mini-runtime.ts";

afterEach(() => {
  vi.unstubAllGlobals();
});

const agreementPath = `/api/v1/agreements/${agreementId}`;
const unsignPath = `${agreementPath}/unsign`;
const withId = (text: string) => `${text}（编号 req-42）`;

async function openAgreement(routes: Record<string, HttpReply | HttpReply[]>, confirm = true) {
  const rt = await launchMiniProgram({
    config: realConfig,
    http: fakeApi({ "GET /api/v1/plans": plansReply, ...routes }),
    confirm: () => confirm,
  });
  await rt.settle();
  const page = await rt.navigate(`/pages/agreement/index?id=${agreementId}`);
  await rt.settle();
  return { rt, page };
}

describe("creating the agreement fails", () => {
  test.each([
    ["BAD_REQUEST", ERROR_TEXT.BAD_REQUEST],
    ["NOT_FOUND", "这个方案已下架，请返回选择其他方案。"],
    ["CONFLICT", "上一次开通请求还在处理中，请稍候再试。"],
    ["IDEMPOTENCY_MISMATCH", "这次开通与之前的请求不一致，请返回重新开通。"],
    ["RATE_LIMITED", ERROR_TEXT.RATE_LIMITED],
    ["INTERNAL", ERROR_TEXT.INTERNAL],
    ["SERVICE_UNAVAILABLE", ERROR_TEXT.SERVICE_UNAVAILABLE],
  ] as const)("%s: an alert in plain words, paySignCenter never opens", async (code, text) => {
    const { rt, page } = await subscribe({ routes: { "POST /api/v1/agreements": errorReply(code) } });
    expect(rt.alerts()).toEqual([{ title: "开通失败", content: withId(text), buttonText: "知道了" }]);
    expect(rt.callsOf("paySignCenter")).toEqual([]);
    expect(page.data).toMatchObject({ phase: "terms", busy: false });
  });

  test("UNAUTHORIZED twice: signs in again once, retries once, then says the login expired", async () => {
    const { rt } = await subscribe({ routes: { "POST /api/v1/agreements": errorReply("UNAUTHORIZED") } });
    const sent = rt.requests.map((request) => `${request.method} ${path(request.url)}`);
    expect(sent.filter((line) => line === "POST /api/v1/sessions")).toHaveLength(2);
    expect(sent.filter((line) => line === "POST /api/v1/agreements")).toHaveLength(2);
    expect(rt.alerts()).toEqual([
      { title: "开通失败", content: withId(ERROR_TEXT.UNAUTHORIZED), buttonText: "知道了" },
    ]);
  });

  test("an expired token is renewed once and the request goes through with the new token", async () => {
    let sessions = 0;
    const { rt } = await subscribe({
      routes: {
        "POST /api/v1/sessions": () => {
          sessions += 1;
          return { status: 201, body: { token: `token-${sessions}`, expiresAt: "2026-01-06T00:00:00.000Z" } };
        },
        "POST /api/v1/agreements": (request) =>
          request.headers.authorization === "Bearer token-2"
            ? { status: 201, body: { agreement: active(), signStr: "s" } }
            : errorReply("UNAUTHORIZED"),
      },
    });
    const creates = rt.requests.filter((request) => path(request.url) === "/api/v1/agreements");
    expect(creates.map((request) => request.headers.authorization)).toEqual(["Bearer token-1", "Bearer token-2"]);
    expect(creates[0]?.headers["idempotency-key"]).toBe(creates[1]?.headers["idempotency-key"]);
    expect(rt.callsOf("getAuthCode")).toHaveLength(2);
    expect(rt.toasts()).toEqual([{ type: "success", content: "签约成功" }]);
  });

  test("no network: the alert asks to check the network", async () => {
    const { rt } = await subscribe({
      routes: {
        "POST /api/v1/agreements": () => {
          throw networkFailure();
        },
      },
    });
    expect(rt.alerts()).toEqual([{ title: "开通失败", content: ERROR_TEXT.NETWORK, buttonText: "知道了" }]);
  });

  test("a double tap creates one agreement, and so does a tap after signing", async () => {
    const rt = await launchMiniProgram({
      config: realConfig,
      http: fakeApi(subscriptionRoutes()),
      paySignCenter: () => Promise.resolve({ resultStatus: "7000", result: "{}" }),
    });
    await rt.settle();
    const page = await rt.navigate(`/pages/agreement/index?planId=${monthlyPlan.id}`);
    await rt.settle();
    page.tap("onSubscribe");
    page.tap("onSubscribe");
    await rt.settle();
    page.tap("onSubscribe");
    await rt.settle();
    expect(rt.requests.filter((request) => path(request.url) === "/api/v1/agreements")).toHaveLength(1);
    expect(rt.callsOf("paySignCenter")).toHaveLength(1);
  });
});

describe("signing in fails", () => {
  test.each([
    "BAD_REQUEST",
    "UNAUTHORIZED",
    "RATE_LIMITED",
    "INTERNAL",
    "ALIPAY_UNAVAILABLE",
    "SERVICE_UNAVAILABLE",
  ] as const)("POST /api/v1/sessions answers %s: the subscribe alert explains, nothing is created", async (code) => {
    const { rt } = await subscribe({ routes: { "POST /api/v1/sessions": errorReply(code) } });
    expect(rt.alerts()).toEqual([{ title: "开通失败", content: withId(ERROR_TEXT[code]), buttonText: "知道了" }]);
    expect(rt.requests.filter((request) => path(request.url) === "/api/v1/agreements")).toEqual([]);
    expect(rt.storage.has("paysign.sessionToken")).toBe(false);
    const tries = rt.requests.filter((request) => path(request.url) === "/api/v1/sessions").length;
    expect(tries).toBe(code === "UNAUTHORIZED" ? 2 : 1);
  });

  test("a refused auth code is replaced by a fresh one once, and the subscription goes on", async () => {
    const { rt } = await subscribe({
      routes: {
        "POST /api/v1/sessions": [
          errorReply("UNAUTHORIZED"),
          { status: 201, body: { token: "token-1", expiresAt: "2026-01-06T00:00:00.000Z" } },
        ],
      },
    });
    const sessions = rt.requests.filter((request) => path(request.url) === "/api/v1/sessions");
    expect(sessions.map((request) => request.body)).toEqual([{ authCode: "auth-code-1" }, { authCode: "auth-code-2" }]);
    expect(rt.alerts()).toEqual([]);
    expect(rt.requests.filter((request) => path(request.url) === "/api/v1/agreements")).toHaveLength(1);
  });

  test("the user declines my.getAuthCode: the alert says authorisation is needed, no session is asked", async () => {
    const { rt } = await subscribe({
      runtime: {
        getAuthCode: () => alipayFailure({ error: 11, errorMessage: "用户取消授权" }),
      },
    });
    expect(rt.alerts()).toEqual([{ title: "开通失败", content: ERROR_TEXT.AUTH_CANCELLED, buttonText: "知道了" }]);
    expect(rt.requests.filter((request) => path(request.url) === "/api/v1/sessions")).toEqual([]);
  });
});

describe("an existing agreement", () => {
  test("shows status, amount, next deduction date and the charge history with labels", async () => {
    const charges = [
      charge(),
      charge({ id: "c2", dueDate: "2026-02-05", status: "FAILED", failureReason: "余额不足", tradeNo: null }),
    ];
    const { page } = await openAgreement({
      [`GET ${agreementPath}`]: { status: 200, body: detail(active({ nextDeductDate: "2026-03-05" }), charges) },
    });
    expect(page.data).toMatchObject({
      phase: "agreement",
      agreement: {
        title: monthlyPlan.name,
        statusText: "生效中",
        tone: "success",
        amountText: "¥19.90",
        nextDeductText: "2026年3月5日",
        firstDeductText: "2026年1月5日",
        capsText: "最多 12 次",
        canUnsign: true,
        hasCharges: true,
        charges: [
          { dueDateText: "2026年1月5日", amountText: "¥19.90", statusText: "扣款成功", tone: "success" },
          { dueDateText: "2026年2月5日", amountText: "¥19.90", statusText: "扣款失败", tone: "error" },
        ],
      },
    });
  });

  test("shows each charge's refunds (amount, status, Shanghai date) and the totals charged, refunded and net", async () => {
    const charges = [charge(), charge({ id: "c2", dueDate: "2026-02-05", paidAt: "2026-02-05T02:05:00.000Z" })];
    const refunds: CustomerRefund[] = [
      {
        id: "r1",
        chargeId: charge().id,
        amount: "5.00",
        reason: "部分退款",
        status: "SUCCEEDED",
        // 00:30 on 6 January in Shanghai, still the 5th in UTC.
        refundedAt: "2026-01-05T16:30:00.000Z",
        createdAt: "2026-01-05T16:29:00.000Z",
      },
      {
        id: "r2",
        chargeId: "c2",
        amount: "19.90",
        reason: null,
        status: "PENDING",
        refundedAt: null,
        createdAt: "2026-02-06T17:00:00.000Z",
      },
      {
        id: "r3",
        chargeId: "c2",
        amount: "1.20",
        reason: null,
        status: "FAILED",
        refundedAt: null,
        createdAt: "2026-02-06T01:00:00.000Z",
      },
    ];
    const body = {
      ...detail(active({ nextDeductDate: "2026-03-05", paymentsCount: 2 }), charges),
      refunds,
      totals: { charged: "39.80", refunded: "5.00", net: "34.80" },
    };
    const { page } = await openAgreement({ [`GET ${agreementPath}`]: { status: 200, body } });
    expect(page.data).toMatchObject({
      phase: "agreement",
      agreement: {
        charges: [
          {
            dueDateText: "2026年1月5日",
            hasRefunds: true,
            refunds: [{ amountText: "¥5.00", statusText: "已退款", tone: "neutral", dateText: "2026年1月6日" }],
          },
          {
            dueDateText: "2026年2月5日",
            hasRefunds: true,
            refunds: [
              { amountText: "¥19.90", statusText: "退款处理中", tone: "info", dateText: "2026年2月7日" },
              { amountText: "¥1.20", statusText: "退款失败", tone: "error", dateText: "2026年2月6日" },
            ],
          },
        ],
        hasTotals: true,
        totals: [
          { label: "已扣款", amountText: "¥39.80" },
          { label: "已退款", amountText: "¥5.00" },
          { label: "实付", amountText: "¥34.80" },
        ],
      },
    });
  });

  test("an answer without refunds or totals (an older server) shows no refund rows and no totals", async () => {
    const { page } = await openAgreement({
      [`GET ${agreementPath}`]: { status: 200, body: detail(active(), [charge()]) },
    });
    expect(page.data).toMatchObject({
      agreement: { charges: [{ hasRefunds: false, refunds: [] }], hasTotals: false, totals: [] },
    });
  });

  test.each([
    ["BAD_REQUEST", "协议编号有误，请返回重新打开。"],
    ["UNAUTHORIZED", ERROR_TEXT.UNAUTHORIZED],
    ["NOT_FOUND", "没有找到这份协议。"],
    ["RATE_LIMITED", ERROR_TEXT.RATE_LIMITED],
    ["INTERNAL", ERROR_TEXT.INTERNAL],
    ["SERVICE_UNAVAILABLE", ERROR_TEXT.SERVICE_UNAVAILABLE],
  ] as const)("loading it fails with %s: the page shows the error in plain words", async (code, text) => {
    const { page } = await openAgreement({ [`GET ${agreementPath}`]: errorReply(code) });
    expect(page.data).toMatchObject({ phase: "error", error: withId(text) });
  });

  test("unsign: asks first, then stops it and shows it cancelled", async () => {
    const { rt, page } = await openAgreement({
      [`GET ${agreementPath}`]: [
        { status: 200, body: detail(active()) },
        { status: 200, body: detail(active({ status: "UNSIGNED" })) },
      ],
      [`POST ${unsignPath}`]: { status: 200, body: { agreement: active({ status: "UNSIGNED" }) } },
    });
    page.tap("onUnsign");
    await rt.settle();
    expect(rt.callsOf("confirm")).toEqual([
      {
        title: "解约",
        content: "解约后将不再自动扣款，已完成的扣款不受影响。确定解约吗？",
        confirmButtonText: "解约",
        cancelButtonText: "再想想",
      },
    ]);
    const unsign = rt.requests.find((request) => path(request.url) === unsignPath);
    expect(unsign).toMatchObject({ method: "POST", body: undefined, headers: { authorization: "Bearer token-1" } });
    expect(rt.toasts()).toEqual([{ type: "success", content: "已解约" }]);
    expect(page.data).toMatchObject({ agreement: { statusText: "已解约", canUnsign: false } });
  });

  test("unsign cancelled in the dialog: nothing is sent", async () => {
    const { rt, page } = await openAgreement(
      { [`GET ${agreementPath}`]: { status: 200, body: detail(active()) } },
      false,
    );
    page.tap("onUnsign");
    await rt.settle();
    expect(rt.requests.filter((request) => path(request.url) === unsignPath)).toEqual([]);
    expect(page.data).toMatchObject({ agreement: { statusText: "生效中" } });
  });

  test.each([
    ["BAD_REQUEST", ERROR_TEXT.BAD_REQUEST],
    ["UNAUTHORIZED", ERROR_TEXT.UNAUTHORIZED],
    ["NOT_FOUND", "没有找到这份协议。"],
    ["CONFLICT", "协议当前的状态不能解约，请刷新后再试。"],
    ["RATE_LIMITED", ERROR_TEXT.RATE_LIMITED],
    ["INTERNAL", ERROR_TEXT.INTERNAL],
    ["ALIPAY_UNAVAILABLE", "支付宝暂时没有响应，解约结果确认中，请稍后刷新查看。"],
    ["SERVICE_UNAVAILABLE", ERROR_TEXT.SERVICE_UNAVAILABLE],
  ] as const)("unsign fails with %s: an alert in plain words, the agreement unchanged", async (code, text) => {
    const { rt, page } = await openAgreement({
      [`GET ${agreementPath}`]: { status: 200, body: detail(active()) },
      [`POST ${unsignPath}`]: errorReply(code),
    });
    page.tap("onUnsign");
    await rt.settle();
    expect(rt.alerts()).toEqual([{ title: "解约失败", content: withId(text), buttonText: "知道了" }]);
    expect(page.data).toMatchObject({ busy: false, agreement: { statusText: "生效中", canUnsign: true } });
  });

  test("refresh reads it again; a failing refresh shows a toast and keeps what is shown", async () => {
    const { rt, page } = await openAgreement({
      [`GET ${agreementPath}`]: [{ status: 200, body: detail(active()) }, errorReply("SERVICE_UNAVAILABLE")],
    });
    page.tap("onRefresh");
    await rt.settle();
    expect(rt.toasts()).toEqual([{ type: "fail", content: withId(ERROR_TEXT.SERVICE_UNAVAILABLE) }]);
    expect(page.data).toMatchObject({ agreement: { statusText: "生效中" } });
  });

  test("a page opened without a plan or an agreement says what is missing", async () => {
    const rt = await launchMiniProgram({ config: realConfig, http: fakeApi({ "GET /api/v1/plans": plansReply }) });
    await rt.settle();
    const page = await rt.navigate("/pages/agreement/index");
    await rt.settle();
    expect(page.data).toMatchObject({ phase: "error", error: "缺少要查看的方案或协议，请返回重新打开。" });
    page.tap("onBackToPlans");
    await rt.settle();
    expect(rt.routes()).toEqual(["pages/plans/index"]);
  });

  test("a plan that is no longer listed: the page says it is gone", async () => {
    const rt = await launchMiniProgram({ config: realConfig, http: fakeApi({ "GET /api/v1/plans": plansReply }) });
    await rt.settle();
    const page = await rt.navigate("/pages/agreement/index?planId=6f1c4a52-0d3b-4c1e-9a53-00000000dead");
    await rt.settle();
    expect(page.data).toMatchObject({ phase: "error", error: "这个方案已下架，请返回选择其他方案。" });
  });
});
