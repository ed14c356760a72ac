import { afterEach, describe, expect, test, vi } from "vitest";
import { ERROR_TEXT } from "../src/services/api-error.ts";
import { fakeApi } from "./support/fake-api.ts";
import { errorReply, active, agreement, agreementId, realConfig } from "./support/fixtures.ts";
import { path, plansReply } from "./support/flows.ts";
import { launchMiniProgram, type HttpReply } from "./support/mini-runtime.ts";

afterEach(() => {
  vi.unstubAllGlobals();
});

async function openList(reply: HttpReply | HttpReply[], plans: HttpReply = plansReply) {
  const rt = await launchMiniProgram({
    config: realConfig,
    http: fakeApi({
      "GET /api/v1/plans": plans,
      "GET /api/v1/agreements": reply,
      [`GET /api/v1/agreements/${agreementId}`]: { status: 200, body: { ...active(), charges: [], events: [] } },
    }),
  });
  await rt.settle();
  const page = await rt.navigate("/pages/agreements/index");
  await rt.settle();
  return { rt, page };
}

describe("my agreements", () => {
  test("lists the customer's agreements with plan name, status, amount and next deduction date", async () => {
    const { rt, page } = await openList({
      status: 200,
      body: { items: [active({ nextDeductDate: "2026-02-05" }), agreement({ id: "a2", status: "UNSIGNED" })] },
    });
    expect(page.data).toMatchObject({
      loading: false,
      empty: false,
      agreements: [
        {
          id: agreementId,
          title: "月度会员",
          statusText: "生效中",
          amountText: "¥19.90",
          nextDeductText: "2026年2月5日",
        },
        { id: "a2", title: "月度会员", statusText: "已解约", nextDeductText: "—" },
      ],
    });
    const list = rt.requests.find((request) => path(request.url) === "/api/v1/agreements");
    expect(list?.headers.authorization).toBe("Bearer token-1");
  });

  test("an agreement whose plan is no longer listed shows a generic name", async () => {
    const { page } = await openList({ status: 200, body: { items: [active()] } }, { status: 200, body: { items: [] } });
    expect(page.data).toMatchObject({ agreements: [{ title: "周期扣款" }] });
  });

  test("tapping one opens it; coming back reloads the list", async () => {
    const { rt, page } = await openList({ status: 200, body: { items: [active()] } });
    page.tap("onOpenAgreement", { id: agreementId });
    await rt.settle();
    expect(rt.routes()).toEqual(["pages/plans/index", "pages/agreements/index", "pages/agreement/index"]);
    await globalThis.my.navigateBack();
    await rt.settle();
    expect(rt.routes()).toEqual(["pages/plans/index", "pages/agreements/index"]);
    expect(rt.requests.filter((request) => path(request.url) === "/api/v1/agreements")).toHaveLength(2);
  });

  test("none yet: an empty state that leads to the plans", async () => {
    const { rt, page } = await openList({ status: 200, body: { items: [] } });
    expect(page.data).toMatchObject({ empty: true, error: "" });
    page.tap("onOpenPlans");
    await rt.settle();
    expect(rt.routes()).toEqual(["pages/plans/index"]);
  });

  test.each(["UNAUTHORIZED", "RATE_LIMITED", "INTERNAL", "SERVICE_UNAVAILABLE"] as const)(
    "%s: the page shows the error in plain words and retry loads again",
    async (code) => {
      // A 401 is retried once with a new session before the page shows it.
      const failures = code === "UNAUTHORIZED" ? [errorReply(code), errorReply(code)] : [errorReply(code)];
      const { rt, page } = await openList([...failures, { status: 200, body: { items: [active()] } }]);
      expect(page.data).toMatchObject({ loading: false, error: `${ERROR_TEXT[code]}（编号 req-42）` });
      page.tap("onRetry");
      await rt.settle();
      expect(page.data).toMatchObject({ error: "", agreements: [{ statusText: "生效中" }] });
    },
  );
});
