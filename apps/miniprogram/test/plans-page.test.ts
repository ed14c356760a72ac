import { afterEach, describe, expect, test, vi } from "vitest";
import { ERROR_TEXT } from "../src/services/api-error.ts";
import { fakeApi } from "./support/fake-api.ts";
import { API, errorReply, monthlyPlan, planId, realConfig } from "./support/fixtures.ts";
import { launchMiniProgram, networkFailure } from "./support/mini-runtime.ts";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("plans page (home)", () => {
  test("lists the active plans with amount, period and first charge, without signing in", async () => {
    const rt = await launchMiniProgram({
      config: realConfig,
      http: fakeApi({ "GET /api/v1/plans": { status: 200, body: { items: [monthlyPlan] } } }),
    });
    await rt.settle();

    expect(rt.routes()).toEqual(["pages/plans/index"]);
    expect(rt.current().data).toMatchObject({
      loading: false,
      error: "",
      empty: false,
      plans: [
        {
          id: planId,
          name: "月度会员",
          amountText: "¥19.90",
          periodText: "每月",
          capsText: "最多 12 次",
          firstChargeText: "签约当天首次扣款",
        },
      ],
    });
    expect(rt.requests).toEqual([{ url: `${API}/api/v1/plans`, method: "GET", headers: {}, body: undefined }]);
    expect(rt.callsOf("getAuthCode")).toEqual([]);
  });

  test("choosing a plan opens the agreement page for it", async () => {
    const rt = await launchMiniProgram({
      config: realConfig,
      http: fakeApi({ "GET /api/v1/plans": { status: 200, body: { items: [monthlyPlan] } } }),
    });
    await rt.settle();
    rt.current().tap("onChoosePlan", { planId });
    await rt.settle();

    expect(rt.callsOf("navigateTo")).toEqual([{ url: `/pages/agreement/index?planId=${planId}` }]);
    expect(rt.routes()).toEqual(["pages/plans/index", "pages/agreement/index"]);
    expect(rt.current().data).toMatchObject({ phase: "terms", plan: { name: "月度会员", amountText: "¥19.90" } });
  });

  test("no plans: an empty state, not an error", async () => {
    const rt = await launchMiniProgram({
      config: realConfig,
      http: fakeApi({ "GET /api/v1/plans": { status: 200, body: { items: [] } } }),
    });
    await rt.settle();
    expect(rt.current().data).toMatchObject({ loading: false, empty: true, error: "" });
  });

  test.each(["RATE_LIMITED", "INTERNAL", "SERVICE_UNAVAILABLE"] as const)(
    "%s: the page says so in plain words with the request id, and retry loads again",
    async (code) => {
      let fail = true;
      const rt = await launchMiniProgram({
        config: realConfig,
        http: fakeApi({
          "GET /api/v1/plans": () => (fail ? errorReply(code) : { status: 200, body: { items: [monthlyPlan] } }),
        }),
      });
      await rt.settle();
      expect(rt.current().data).toMatchObject({ loading: false, error: `${ERROR_TEXT[code]}（编号 req-42）` });

      fail = false;
      rt.current().tap("onRetry");
      await rt.settle();
      expect(rt.current().data).toMatchObject({ error: "", plans: [{ name: "月度会员" }] });
      expect(rt.requests.filter((request) => request.url.endsWith("/api/v1/plans"))).toHaveLength(2);
    },
  );

  test("no network: the page asks to check the network", async () => {
    const rt = await launchMiniProgram({
      config: realConfig,
      http: () => {
        throw networkFailure();
      },
    });
    await rt.settle();
    expect(rt.current().data.error).toBe(ERROR_TEXT.NETWORK);
  });

  test("an answer that is not the API's error body (a proxy's HTML page) reads as unrecognised", async () => {
    const rt = await launchMiniProgram({
      config: realConfig,
      http: () => ({ status: 502, text: "<html>Bad Gateway</html>" }),
    });
    await rt.settle();
    expect(rt.current().data.error).toBe(ERROR_TEXT.BAD_RESPONSE);
  });

  test("pull-down refresh reloads and stops the spinner", async () => {
    const rt = await launchMiniProgram({
      config: realConfig,
      http: fakeApi({ "GET /api/v1/plans": { status: 200, body: { items: [monthlyPlan] } } }),
    });
    await rt.settle();
    rt.current().call("onPullDownRefresh");
    await rt.settle();
    expect(rt.requests).toHaveLength(2);
    expect(rt.callsOf("stopPullDownRefresh")).toHaveLength(1);
  });

  test("My agreements opens the list", async () => {
    const rt = await launchMiniProgram({
      config: realConfig,
      http: fakeApi({
        "GET /api/v1/plans": { status: 200, body: { items: [monthlyPlan] } },
        "GET /api/v1/agreements": { status: 200, body: { items: [] } },
      }),
    });
    await rt.settle();
    rt.current().tap("onOpenAgreements");
    await rt.settle();
    expect(rt.routes()).toEqual(["pages/plans/index", "pages/agreements/index"]);
  });
});
