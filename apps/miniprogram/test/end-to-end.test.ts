import { defined } from "@paysign/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
// The server's global setup declares what it provides (adminDatabaseUrl) to vitest's inject().
import type {} from "../../server/test/setup/global-database.ts";
import { runScheduler, setClock, shanghai } from "../../server/test/support/deductions.ts";
import { startStack, type Stack } from "../../server/test/support/stack.ts";
import { launchMiniProgram, networkFailure, type HttpBackend } from "./support/mini-runtime.ts";

// The mini program against the real thing: my.request → the real API over HTTP (a real database), my.getAuthCode →
// a sandbox auth code, my.paySignCenter → the sandbox's signing center with the signStr exactly as the page got it.

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  // A fixed morning: the agreement signed today is charged today, whatever the real time of day.
  await setClock(stack, shanghai("2026-12-10"));
});
afterAll(async () => {
  await stack?.close();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const monthlyPlanId = "6f1c4a52-0d3b-4c1e-9a53-000000000001";

const overHttp: HttpBackend = async (request) => {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
  } catch {
    throw networkFailure();
  }
  return { status: response.status, text: await response.text() };
};

async function sandbox(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${stack.sandbox.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

describe("end to end against the real server and the Alipay sandbox", () => {
  test("real mode: a customer subscribes, signs with paySignCenter, sees ACTIVE, then the first charge", async () => {
    const buyer = await sandbox("/sandbox/users", { balance: "100.00" });
    const userId = buyer.userId as string;
    const signStrs: string[] = [];
    const rt = await launchMiniProgram({
      config: { mode: "real", apiBaseUrl: stack.api, sandboxUrl: null, pollDelaysMs: [200, 400, 800, 1600] },
      http: overHttp,
      getAuthCode: async () => ({ authCode: (await sandbox("/sandbox/auth-codes", { userId })).authCode as string }),
      paySignCenter: async ({ signStr }) => {
        signStrs.push(signStr);
        const answer = await sandbox("/sandbox/sign-center", { signStr, userId, decision: "confirm" });
        return { resultStatus: answer.resultStatus as string, result: answer.result as string };
      },
    });
    await rt.settle();
    const home = rt.current();
    expect((home.data.plans as Array<{ id: string }>).map((plan) => plan.id)).toContain(monthlyPlanId);

    home.tap("onChoosePlan", { planId: monthlyPlanId });
    await rt.settle();
    const page = rt.current();
    expect(page.data).toMatchObject({ phase: "terms", plan: { name: "Monthly membership", amountText: "¥19.90" } });

    page.tap("onSubscribe");
    await rt.settle(30_000);

    // The signStr went to the signing center exactly as the server issued it.
    const created = rt.requests.find((request) => request.url === `${stack.api}/api/v1/agreements`);
    expect(created?.method).toBe("POST");
    expect(signStrs).toHaveLength(1);
    expect(decodeURIComponent(defined(signStrs[0], "the signStr"))).toContain("method=alipay.user.agreement.page.sign");

    expect(rt.toasts()).toContainEqual({ type: "success", content: "签约成功" });
    expect(page.data).toMatchObject({
      phase: "agreement",
      notice: { tone: "success", title: "签约成功" },
      agreement: { statusText: "生效中", amountText: "¥19.90", periodText: "每月", canUnsign: true },
    });
    const shown = page.data.agreement as { nextDeductText: string; hasCharges: boolean };
    expect(shown.nextDeductText).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日$/);
    expect(shown.hasCharges).toBe(false);

    // The merchant's scheduler charges the first period (due on the day of signing); a refresh shows it.
    await runScheduler(stack);
    page.call("onPullDownRefresh");
    await rt.settle();
    expect(page.data).toMatchObject({
      agreement: {
        statusText: "生效中",
        paymentsText: "1 次",
        hasCharges: true,
        charges: [{ amountText: "¥19.90", statusText: "扣款成功", tone: "success" }],
      },
    });

    // And My agreements lists it.
    page.tap("onOpenAgreements");
    await rt.settle();
    expect(rt.current().data).toMatchObject({ agreements: [{ title: "Monthly membership", statusText: "生效中" }] });
  });

  test("development mode: the sandbox buyer, the H5 signing page in a web-view, its postMessage answer", async () => {
    const rt = await launchMiniProgram({
      config: {
        mode: "development",
        apiBaseUrl: stack.api,
        sandboxUrl: stack.sandbox.url,
        pollDelaysMs: [200, 400, 800, 1600],
      },
      http: overHttp,
    });
    await rt.settle();
    const page = await rt.navigate(`/pages/agreement/index?planId=${monthlyPlanId}`);
    await rt.settle();
    void page.tap("onSubscribe");
    await rt.waitFor(() => rt.current().route === "pages/sign-webview/index", "the signing web-view", 20_000);
    const webview = rt.current();

    // Play the H5 page: it loads, shows the terms and, on confirm, posts to the signing center what it carries.
    const src = webview.data.src as string;
    const html = await (await fetch(src)).text();
    expect(html).toContain("¥19.90");
    const signData = /<script type="application\/json" id="sign-data">(.*?)<\/script>/s.exec(html)?.[1];
    const embedded = JSON.parse(defined(signData, "the H5 page's sign-data")) as { signStr: string };
    const userId = defined(new URL(src).searchParams.get("userId"), "the H5 page's userId");
    const answer = await sandbox("/sandbox/sign-center", { signStr: embedded.signStr, userId, decision: "confirm" });
    expect(answer.resultStatus).toBe("7000");
    webview.call("onMessage", { detail: { resultStatus: answer.resultStatus, result: answer.result } });
    await rt.settle(30_000);

    expect(rt.routes()).toEqual(["pages/plans/index", "pages/agreement/index"]);
    expect(page.data).toMatchObject({ phase: "agreement", agreement: { statusText: "生效中" } });
  });
});
