import { defined } from "@paysign/test-kit";
import { afterEach, describe, expect, test, vi } from "vitest";
import { ERROR_TEXT } from "../src/services/api-error.ts";
import { SIGN_UNAVAILABLE_TEXT } from "../src/pages/agreement/agreement-page.ts";
import { errorReply, SIGN_STR, active, agreement, agreementId, planId } from "./support/fixtures.ts";
import { detailReply, path, signResultReply, subscribe } from "./support/flows.ts";
import { alipayFailure, networkFailure } from "./support/mini-runtime.ts";

afterEach(() => {
  vi.unstubAllGlobals();
});

const signResultPath = `/api/v1/agreements/${agreementId}/sign-result`;
const agreementPath = `/api/v1/agreements/${agreementId}`;

describe("subscribing and signing with my.paySignCenter (real mode)", () => {
  test("7000, confirmed by the server: a success toast, the agreement ACTIVE with its next deduction date", async () => {
    const { rt, page } = await subscribe({ signs: [{ resultStatus: "7000", result: '{"sign":"x"}' }] });

    // What was sent: sign-in with the auth code, the agreement with an Idempotency-Key, the result as returned.
    expect(rt.requests.map((request) => `${request.method} ${path(request.url)}`)).toEqual([
      "GET /api/v1/plans",
      "GET /api/v1/plans",
      "POST /api/v1/sessions",
      "POST /api/v1/agreements",
      `POST ${signResultPath}`,
      `GET ${agreementPath}`,
    ]);
    expect(rt.requests[2]?.body).toEqual({ authCode: "auth-code-1" });
    expect(rt.callsOf("getAuthCode")).toEqual([{ scopes: "auth_base" }]);
    const create = defined(rt.requests[3], "the create request");
    expect(create.body).toEqual({ planId });
    expect(create.headers.authorization).toBe("Bearer token-1");
    expect(create.headers["idempotency-key"]).toMatch(/^mp-/);
    expect(rt.callsOf("paySignCenter")).toEqual([{ signStr: SIGN_STR }]);
    expect(rt.requests[4]?.body).toEqual({ resultStatus: "7000", result: '{"sign":"x"}' });
    expect(rt.storage.get("paysign.sessionToken")).toBe("token-1");

    // What the user sees.
    expect(rt.toasts()).toEqual([{ type: "success", content: "签约成功" }]);
    expect(page.data).toMatchObject({
      phase: "agreement",
      busy: false,
      notice: { tone: "success", title: "签约成功", text: "首次扣款日 2026年1月5日，每期 ¥19.90。" },
      agreement: {
        title: "月度会员",
        statusText: "生效中",
        amountText: "¥19.90",
        periodText: "每月",
        nextDeductText: "2026年1月5日",
        canUnsign: true,
        charges: [],
        hasCharges: false,
      },
    });
  });

  test("7000 not yet confirmed (CONFIRMING): polls the agreement until ACTIVE", async () => {
    const { rt, page } = await subscribe({
      routes: {
        [`POST ${signResultPath}`]: signResultReply("CONFIRMING"),
        [`GET ${agreementPath}`]: [detailReply(agreement()), detailReply(active())],
      },
    });
    expect(rt.requests.filter((request) => path(request.url) === agreementPath).length).toBeGreaterThanOrEqual(2);
    expect(rt.toasts()).toEqual([{ type: "success", content: "签约成功" }]);
    expect(page.data).toMatchObject({ phase: "agreement", agreement: { statusText: "生效中" } });
  });

  test("7001 (result unknown): reported, then polled; the server confirms it signed", async () => {
    const { rt, page } = await subscribe({
      signs: [{ resultStatus: "7001", result: "" }],
      routes: {
        [`POST ${signResultPath}`]: signResultReply("CONFIRMING"),
        [`GET ${agreementPath}`]: [detailReply(agreement()), detailReply(active())],
      },
    });
    expect(rt.requests.find((request) => path(request.url) === signResultPath)?.body).toEqual({
      resultStatus: "7001",
    });
    expect(rt.toasts()).toEqual([{ type: "success", content: "签约成功" }]);
    expect(page.data).toMatchObject({ notice: { tone: "success" }, agreement: { statusText: "生效中" } });
  });

  test("7001 still unconfirmed when the polls run out: a calm 'still confirming' note, polling bounded", async () => {
    const { rt, page } = await subscribe({
      signs: [{ resultStatus: "7001", result: "" }],
      routes: {
        [`POST ${signResultPath}`]: signResultReply("CONFIRMING"),
        [`GET ${agreementPath}`]: detailReply(agreement()),
      },
    });
    // realConfig.pollDelaysMs has three delays: three reads, then it stops.
    expect(rt.requests.filter((request) => path(request.url) === agreementPath)).toHaveLength(3);
    expect(rt.toasts()).toEqual([]);
    expect(page.data).toMatchObject({
      phase: "agreement",
      busy: false,
      notice: {
        tone: "info",
        title: "正在确认签约结果",
        text: "支付宝还在处理，稍后可在「我的协议」中查看结果。",
      },
      agreement: { statusText: "待签约", canUnsign: false },
    });
  });

  test("while polling, the page shows the result table's words for the code", async () => {
    const { rt } = await subscribe({
      signs: [{ resultStatus: "7001", result: "" }],
      routes: {
        [`POST ${signResultPath}`]: signResultReply("CONFIRMING"),
        [`GET ${agreementPath}`]: [detailReply(agreement()), detailReply(active())],
      },
    });
    const confirming = rt
      .callsOf("pages/agreement/index#setData")
      .find((patch) => (patch as { phase?: string }).phase === "confirming");
    expect(confirming).toMatchObject({
      busy: true,
      notice: { tone: "info", title: "签约结果未知（有可能已经签约成功）", text: "正在向支付宝确认签约结果，请稍候…" },
    });
  });

  test("7002 (failed): an alert in plain words, the agreement shown as failed, nothing to unsign", async () => {
    const failed = agreement({ status: "FAILED" });
    const { rt, page } = await subscribe({
      signs: [{ resultStatus: "7002", result: "" }],
      routes: {
        [`POST ${signResultPath}`]: signResultReply("FAILED", failed),
        [`GET ${agreementPath}`]: detailReply(failed),
      },
    });
    expect(rt.requests.find((request) => path(request.url) === signResultPath)?.body).toEqual({
      resultStatus: "7002",
    });
    expect(rt.alerts()).toEqual([{ title: "签约失败", content: "协议签约失败", buttonText: "知道了" }]);
    expect(page.data).toMatchObject({
      phase: "agreement",
      notice: { tone: "error", title: "签约失败", text: "没有开通成功，可以返回重新选择方案。" },
      agreement: { statusText: "签约失败", canUnsign: false },
    });
  });

  test("6001 (cancelled) and still PENDING after the polls: says the user did not finish, no alarm", async () => {
    const { rt, page } = await subscribe({
      signs: [{ resultStatus: "6001", result: "" }],
      routes: {
        [`POST ${signResultPath}`]: signResultReply("CONFIRMING"),
        [`GET ${agreementPath}`]: detailReply(agreement()),
      },
    });
    expect(rt.requests.find((request) => path(request.url) === signResultPath)?.body).toEqual({
      resultStatus: "6001",
    });
    expect(rt.alerts()).toEqual([]);
    expect(page.data).toMatchObject({
      phase: "agreement",
      notice: {
        tone: "neutral",
        title: "用户中途取消（也可能已签约后跳出）",
        text: "你没有完成签约。如果其实已经签约，稍后会在「我的协议」中显示。",
      },
    });
  });

  test("6001 after signing (left the page): the server finds it signed and the page says so", async () => {
    const { rt, page } = await subscribe({
      signs: [{ resultStatus: "6001", result: "" }],
      routes: {
        [`POST ${signResultPath}`]: signResultReply("CONFIRMING"),
        [`GET ${agreementPath}`]: [detailReply(agreement()), detailReply(active())],
      },
    });
    expect(rt.toasts()).toEqual([{ type: "success", content: "签约成功" }]);
    expect(page.data).toMatchObject({ agreement: { statusText: "生效中" } });
  });

  test("6001 and the server gives up (ABANDONED): 'not signed', no charges will happen", async () => {
    const abandoned = agreement({ status: "ABANDONED" });
    const { page } = await subscribe({
      signs: [{ resultStatus: "6001", result: "" }],
      routes: {
        [`POST ${signResultPath}`]: signResultReply("CONFIRMING"),
        [`GET ${agreementPath}`]: detailReply(abandoned),
      },
    });
    expect(page.data).toMatchObject({
      notice: { tone: "neutral", title: "未签约", text: "这份协议没有生效，不会扣款。" },
      agreement: { statusText: "已放弃" },
    });
  });

  test("6002 (network): a retry button; retrying opens paySignCenter again with the same signStr", async () => {
    const { rt, page } = await subscribe({
      signs: [
        { resultStatus: "6002", result: "" },
        { resultStatus: "7000", result: "{}" },
      ],
      routes: {
        [`POST ${signResultPath}`]: [signResultReply("RETRY"), signResultReply("SIGNED", active())],
      },
    });
    expect(page.data).toMatchObject({
      phase: "retry",
      busy: false,
      notice: { tone: "warning", title: "网络连接错误", text: "签约没有完成。请检查网络后点「重新签约」。" },
    });

    page.tap("onRetrySign");
    await rt.settle();
    expect(rt.callsOf("paySignCenter")).toEqual([{ signStr: SIGN_STR }, { signStr: SIGN_STR }]);
    expect(rt.requests.filter((request) => path(request.url) === "/api/v1/agreements")).toHaveLength(1);
    expect(rt.requests.filter((request) => path(request.url) === signResultPath).map((r) => r.body)).toEqual([
      { resultStatus: "6002" },
      { resultStatus: "7000", result: "{}" },
    ]);
    expect(page.data).toMatchObject({ phase: "agreement", agreement: { statusText: "生效中" } });
  });

  test("a code outside the table is not reported; the page asks the server by polling", async () => {
    const { rt, page } = await subscribe({
      signs: [{ resultStatus: "4000", result: "" }],
      routes: { [`GET ${agreementPath}`]: [detailReply(agreement()), detailReply(active())] },
    });
    expect(rt.requests.filter((request) => path(request.url) === signResultPath)).toEqual([]);
    expect(page.data).toMatchObject({ agreement: { statusText: "生效中" } });
  });

  test("paySignCenter cannot open (old client, IDE simulator): an alert with what to do, nothing reported", async () => {
    const { rt, page } = await subscribe({
      runtime: {
        paySignCenter: () => alipayFailure({ error: 3, errorMessage: "not supported" }),
        canIUse: (name) => name !== "paySignCenter",
      },
    });
    expect(rt.callsOf("canIUse")).toEqual(["paySignCenter"]);
    expect(rt.alerts()).toEqual([{ title: "无法签约", content: SIGN_UNAVAILABLE_TEXT, buttonText: "知道了" }]);
    expect(SIGN_UNAVAILABLE_TEXT).toContain("10.0.18");
    expect(rt.requests.filter((request) => path(request.url) === signResultPath)).toEqual([]);
    expect(page.data).toMatchObject({ phase: "retry", busy: false });
  });

  test("paySignCenter fails on a client that has it: reported as an unknown outcome (7001), confirmed by polling, no upgrade text", async () => {
    // All five result codes come through success; fail means the call did not run as far as an answer.
    const { rt, page } = await subscribe({
      runtime: {
        paySignCenter: () => alipayFailure({ error: 4, errorMessage: "the call could not complete" }),
        canIUse: () => true,
      },
      routes: {
        [`POST ${signResultPath}`]: signResultReply("CONFIRMING"),
        [`GET ${agreementPath}`]: [detailReply(agreement()), detailReply(active())],
      },
    });
    expect(rt.requests.filter((request) => path(request.url) === signResultPath).map((r) => r.body)).toEqual([
      { resultStatus: "7001" },
    ]);
    expect(rt.alerts()).toEqual([]);
    expect(rt.toasts()).toEqual([{ type: "success", content: "签约成功" }]);
    expect(page.data).toMatchObject({ phase: "agreement", busy: false, agreement: { statusText: "生效中" } });
  });

  test("paySignCenter fails and the server cannot confirm in time: the page says it is still confirming", async () => {
    const { rt, page } = await subscribe({
      runtime: { paySignCenter: () => alipayFailure({ error: 4, errorMessage: "the call could not complete" }) },
      routes: {
        [`POST ${signResultPath}`]: signResultReply("CONFIRMING"),
        [`GET ${agreementPath}`]: detailReply(agreement()),
      },
    });
    expect(rt.alerts()).toEqual([]);
    expect(page.data).toMatchObject({
      phase: "agreement",
      busy: false,
      notice: { tone: "info", title: "正在确认签约结果" },
    });
  });

  test.each(["BAD_REQUEST", "UNAUTHORIZED", "NOT_FOUND", "RATE_LIMITED", "INTERNAL", "SERVICE_UNAVAILABLE"] as const)(
    "reporting the result fails with %s: the page keeps the agreement and says the result has not arrived",
    async (code) => {
      const { page } = await subscribe({ routes: { [`POST ${signResultPath}`]: errorReply(code) } });
      expect(page.data).toMatchObject({
        phase: "agreement",
        busy: false,
        notice: {
          tone: "warning",
          title: "协议签约成功",
          text: `签约结果还没有送达服务器：${ERROR_TEXT[code]}（编号 req-42）稍后可在「我的协议」中查看。`,
        },
      });
    },
  );

  test("reporting the result gets no answer at all: the same note with the network words", async () => {
    const { page } = await subscribe({
      routes: {
        [`POST ${signResultPath}`]: () => {
          throw networkFailure();
        },
      },
    });
    expect(page.data).toMatchObject({
      notice: { text: `签约结果还没有送达服务器：${ERROR_TEXT.NETWORK}稍后可在「我的协议」中查看。` },
    });
  });

  test("leaving the page while confirming stops the polling", async () => {
    const { rt } = await subscribe({
      signs: [{ resultStatus: "7001", result: "" }],
      routes: {
        [`POST ${signResultPath}`]: signResultReply("CONFIRMING"),
        [`GET ${agreementPath}`]: () => {
          // The user leaves while the first poll is in flight (getCurrentPages() is the runtime's global).
          const [, agreementPage] = getCurrentPages() as unknown as Array<{ onUnload(): void }>;
          agreementPage?.onUnload();
          return detailReply(agreement());
        },
      },
    });
    expect(rt.requests.filter((request) => path(request.url) === agreementPath)).toHaveLength(1);
  });
});
