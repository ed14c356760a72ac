import { afterEach, describe, expect, test, vi } from "vitest";
import { fakeApi } from "./support/fake-api.ts";
import { SANDBOX, SIGN_STR, active, agreement, agreementId, devConfig, planId } from "./support/fixtures.ts";
import { detailReply, path, signResultReply, subscriptionRoutes } from "./support/flows.ts";
import { launchMiniProgram, type HttpReply } from "./support/mini-runtime.ts";

afterEach(() => {
  vi.unstubAllGlobals();
});

const signResultPath = `/api/v1/agreements/${agreementId}/sign-result`;

async function startSigning(routes: Record<string, HttpReply | HttpReply[]> = {}) {
  const rt = await launchMiniProgram({ config: devConfig, http: fakeApi(subscriptionRoutes(routes)) });
  await rt.settle();
  const page = await rt.navigate(`/pages/agreement/index?planId=${planId}`);
  await rt.settle();
  void page.tap("onSubscribe");
  await rt.waitFor(() => rt.current().route === "pages/sign-webview/index", "the signing web-view");
  return { rt, page, webview: rt.current() };
}

describe("development mode: the sandbox instead of the Alipay app", () => {
  test("signs in as a sandbox buyer: a user once, an auth code from the sandbox, then the API session", async () => {
    const { rt } = await startSigning();
    expect(rt.requests.slice(2, 5).map((request) => [`${request.method} ${request.url}`, request.body])).toEqual([
      [`POST ${SANDBOX}/sandbox/users`, {}],
      [`POST ${SANDBOX}/sandbox/auth-codes`, { userId: "2088000000000001" }],
      ["POST https://api.test/api/v1/sessions", { authCode: "sandbox-code-1" }],
    ]);
    expect(rt.callsOf("getAuthCode")).toEqual([]);
    expect(rt.storage.get("paysign.devUserId")).toBe("2088000000000001");
  });

  test("opens the sandbox's H5 signing page with the signStr encoded once more; its postMessage answer is reported", async () => {
    const { rt, page, webview } = await startSigning();
    expect(webview.data).toEqual({
      src: `${SANDBOX}/sandbox/sign?signStr=${encodeURIComponent(SIGN_STR)}&userId=2088000000000001`,
      error: "",
    });

    webview.call("onMessage", { detail: { resultStatus: "7000", result: '{"sign":"x"}' } });
    await rt.settle();
    expect(rt.routes()).toEqual(["pages/plans/index", "pages/agreement/index"]);
    expect(rt.callsOf("paySignCenter")).toEqual([]);
    expect(rt.requests.find((request) => path(request.url) === signResultPath)?.body).toEqual({
      resultStatus: "7000",
      result: '{"sign":"x"}',
    });
    expect(rt.toasts()).toEqual([{ type: "success", content: "签约成功" }]);
    expect(page.data).toMatchObject({ phase: "agreement", agreement: { statusText: "生效中" } });
  });

  test("leaving the signing page without deciding counts as 6001, as paySignCenter would answer", async () => {
    const { rt } = await startSigning({
      [`POST ${signResultPath}`]: signResultReply("CONFIRMING"),
      [`GET /api/v1/agreements/${agreementId}`]: detailReply(agreement()),
    });
    await globalThis.my.navigateBack();
    await rt.settle();
    expect(rt.requests.find((request) => path(request.url) === signResultPath)?.body).toEqual({
      resultStatus: "6001",
    });
    expect(rt.current().data).toMatchObject({ notice: { title: "用户中途取消（也可能已签约后跳出）" } });
  });

  test("a message without a resultStatus is ignored; the page waits for a real answer", async () => {
    const { rt, webview } = await startSigning();
    webview.call("onMessage", { detail: { hello: "world" } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(rt.current().route).toBe("pages/sign-webview/index");
    webview.call("onMessage", { detail: { resultStatus: "7002", result: "" } });
    await rt.settle();
    expect(rt.requests.find((request) => path(request.url) === signResultPath)?.body).toEqual({
      resultStatus: "7002",
    });
  });

  test("the sandbox forgot the stored buyer (404): a new buyer is created and used", async () => {
    let codes = 0;
    const rt = await launchMiniProgram({
      config: devConfig,
      http: fakeApi({
        ...subscriptionRoutes(),
        "POST /sandbox/auth-codes": (request) => {
          codes += 1;
          return (request.body as { userId: string }).userId === "2088000000000999"
            ? { status: 404, body: { error: { code: "NOT_FOUND", message: "unknown user" } } }
            : { status: 201, body: { authCode: `sandbox-code-${codes}` } };
        },
      }),
    });
    rt.storage.set("paysign.devUserId", "2088000000000999");
    await rt.settle();
    const page = await rt.navigate(`/pages/agreement/index?planId=${planId}`);
    await rt.settle();
    void page.tap("onSubscribe");
    await rt.waitFor(() => rt.current().route === "pages/sign-webview/index", "the signing web-view");
    expect(rt.requests.map((request) => `${request.method} ${path(request.url)}`).slice(2, 6)).toEqual([
      "POST /sandbox/auth-codes",
      "POST /sandbox/users",
      "POST /sandbox/auth-codes",
      "POST /api/v1/sessions",
    ]);
    expect(rt.storage.get("paysign.devUserId")).toBe("2088000000000001");
    expect(rt.current().data.src).toContain("userId=2088000000000001");
  });

  test("the signing page opened with nothing to sign says so", async () => {
    const rt = await launchMiniProgram({
      config: devConfig,
      http: fakeApi({ "GET /api/v1/plans": { status: 200, body: { items: [] } } }),
    });
    await rt.settle();
    const webview = await rt.navigate("/pages/sign-webview/index");
    expect(webview.data).toEqual({ src: "", error: "没有待签约的协议，请返回重新开通。" });
  });

  test("a real build has no web-view page: my.navigateTo to it fails", async () => {
    const rt = await launchMiniProgram({
      config: { ...devConfig, mode: "real", sandboxUrl: null },
      http: fakeApi({ "GET /api/v1/plans": { status: 200, body: { items: [active()] } } }),
    });
    await rt.settle();
    await expect(globalThis.my.navigateTo({ url: "/pages/sign-webview/index" })).rejects.toMatchObject({ error: 1 });
  });
});

describe("development mode without web-view (--dev-sign=sandbox-api)", () => {
  const config = { ...devConfig, devSigning: "sandbox-api" as const };

  async function signThroughSandboxApi(confirm: boolean, routes: Record<string, HttpReply | HttpReply[]>) {
    const rt = await launchMiniProgram({
      config,
      http: fakeApi(subscriptionRoutes(routes)),
      confirm: () => confirm,
    });
    await rt.settle();
    const page = await rt.navigate(`/pages/agreement/index?planId=${planId}`);
    await rt.settle();
    page.tap("onSubscribe");
    await rt.settle();
    return { rt, page };
  }

  test("a dialog, then the sandbox's signing center as the sandbox buyer; the answer is reported, the page polls", async () => {
    const { rt, page } = await signThroughSandboxApi(true, {
      "POST /sandbox/sign-center": { status: 200, body: { resultStatus: "7000", result: '{"sign":"x"}', memo: "" } },
      [`POST ${signResultPath}`]: signResultReply("CONFIRMING"),
      [`GET /api/v1/agreements/${agreementId}`]: [detailReply(agreement()), detailReply(active())],
    });
    expect(rt.routes()).toEqual(["pages/plans/index", "pages/agreement/index"]);
    expect(rt.callsOf("confirm")).toMatchObject([{ title: "沙箱签约（开发环境）", confirmButtonText: "签约" }]);
    expect(rt.callsOf("paySignCenter")).toEqual([]);
    expect(rt.requests.find((request) => path(request.url) === "/sandbox/sign-center")?.body).toEqual({
      signStr: SIGN_STR,
      userId: "2088000000000001",
      decision: "confirm",
    });
    expect(rt.requests.find((request) => path(request.url) === signResultPath)?.body).toEqual({
      resultStatus: "7000",
      result: '{"sign":"x"}',
    });
    expect(rt.toasts()).toEqual([{ type: "success", content: "签约成功" }]);
    expect(page.data).toMatchObject({ phase: "agreement", busy: false, agreement: { statusText: "生效中" } });
  });

  test("cancel in the dialog: the signing center cancels (6001), which is reported like paySignCenter's", async () => {
    const { rt, page } = await signThroughSandboxApi(false, {
      "POST /sandbox/sign-center": { status: 200, body: { resultStatus: "6001", result: "", memo: "cancelled" } },
      [`POST ${signResultPath}`]: signResultReply("CONFIRMING"),
      [`GET /api/v1/agreements/${agreementId}`]: detailReply(agreement()),
    });
    expect(rt.requests.find((request) => path(request.url) === "/sandbox/sign-center")?.body).toMatchObject({
      decision: "cancel",
    });
    expect(rt.requests.find((request) => path(request.url) === signResultPath)?.body).toEqual({
      resultStatus: "6001",
    });
    expect(page.data).toMatchObject({ notice: { title: "用户中途取消（也可能已签约后跳出）" } });
  });

  test("the sandbox does not answer: the page says so and offers to sign again", async () => {
    const { page } = await signThroughSandboxApi(true, {
      "POST /sandbox/sign-center": { status: 502, text: "<html>bad gateway</html>" },
    });
    expect(page.data).toMatchObject({ phase: "retry", busy: false, notice: { tone: "error", title: "无法签约" } });
  });
});
