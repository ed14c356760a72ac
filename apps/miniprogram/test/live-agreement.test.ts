import { afterEach, describe, expect, test, vi } from "vitest";
import { AGREEMENT_NOTES, CHARGE_NOTES } from "../src/view/texts.ts";
import { fakeApi } from "./support/fake-api.ts";
import { active, agreement, agreementId, charge, detail, planId, realConfig } from "./support/fixtures.ts";
import { detailReply, path, plansReply, subscribe } from "./support/flows.ts";
import { launchMiniProgram } from "./support/mini-runtime.ts";

afterEach(() => {
  vi.unstubAllGlobals();
});

const liveId = "0b6f5a43-7a55-4a4e-8d0f-3a1f2b9c0777";
const live = active({ id: liveId, externalAgreementNo: "PS20251205000000000001" });
const signResultPath = `/api/v1/agreements/${agreementId}/sign-result`;

describe("one live agreement per plan (this wave's API)", () => {
  test("subscribing to a plan already held (409 with the live agreement) opens that agreement instead", async () => {
    const { rt } = await subscribe({
      routes: {
        "POST /api/v1/agreements": {
          status: 409,
          body: {
            error: {
              code: "CONFLICT",
              message: "the customer already holds a live agreement for this plan",
              details: { liveAgreement: live },
              requestId: "req-9",
            },
          },
        },
        [`GET /api/v1/agreements/${liveId}`]: detailReply(live),
      },
    });
    expect(rt.alerts()).toEqual([]);
    expect(rt.callsOf("paySignCenter")).toEqual([]);
    expect(rt.toasts()).toEqual([{ type: "none", content: AGREEMENT_NOTES.ALREADY_SUBSCRIBED.zh }]);
    expect(rt.routes()).toEqual(["pages/plans/index", "pages/agreement/index"]);
    expect(rt.current().query).toEqual({ id: liveId });
    expect(rt.current().data).toMatchObject({ phase: "agreement", agreement: { id: liveId, statusText: "生效中" } });
  });

  test("a duplicate signing (NOT_SIGNED with liveAgreementId): the page says so and opens the live agreement", async () => {
    const duplicate = agreement({ status: "ABANDONED" });
    const { rt, page } = await subscribe({
      routes: {
        [`POST ${signResultPath}`]: {
          status: 200,
          body: { agreement: duplicate, outcome: "NOT_SIGNED", liveAgreementId: liveId },
        },
        [`GET /api/v1/agreements/${liveId}`]: detailReply(live),
      },
    });
    expect(page.data).toMatchObject({
      phase: "agreement",
      busy: false,
      liveAgreementId: liveId,
      notice: { tone: "info", title: AGREEMENT_NOTES.DUPLICATE.title.zh, text: AGREEMENT_NOTES.DUPLICATE.zh },
    });
    expect(rt.alerts()).toEqual([]);

    page.tap("onOpenLiveAgreement");
    await rt.settle();
    expect(rt.current().query).toEqual({ id: liveId });
    expect(rt.current().data).toMatchObject({ agreement: { id: liveId, statusText: "生效中" } });
  });

  test("an ABANDONED duplicate opened later shows why and links the live agreement (from its DUPLICATE_OF event)", async () => {
    const duplicate = agreement({ status: "ABANDONED" });
    const rt = await launchMiniProgram({
      config: realConfig,
      http: fakeApi({
        "GET /api/v1/plans": plansReply,
        [`GET /api/v1/agreements/${agreementId}`]: {
          status: 200,
          body: {
            ...detail(duplicate),
            events: [
              {
                id: "e0000000-0000-4000-8000-000000000001",
                agreementId,
                fromStatus: "PENDING",
                toStatus: "ABANDONED",
                source: "NOTIFICATION",
                reason: `DUPLICATE_OF ${liveId}`,
                createdAt: "2026-01-05T02:01:00.000Z",
              },
            ],
          },
        },
      }),
    });
    await rt.settle();
    const page = await rt.navigate(`/pages/agreement/index?id=${agreementId}`);
    await rt.settle();
    expect(page.data).toMatchObject({
      liveAgreementId: liveId,
      agreement: { statusText: "已放弃", note: AGREEMENT_NOTES.DUPLICATE.zh, canUnsign: false },
    });
  });

  test("a period PAST_DUE needs the customer's attention: a note on the charge and on the agreement", async () => {
    const rt = await launchMiniProgram({
      config: realConfig,
      http: fakeApi({
        "GET /api/v1/plans": plansReply,
        [`GET /api/v1/agreements/${agreementId}`]: {
          status: 200,
          body: detail(active(), [
            charge(),
            charge({ id: "c2", dueDate: "2026-02-05", status: "PAST_DUE", tradeNo: null, paidAt: null }),
          ]),
        },
      }),
    });
    await rt.settle();
    const page = await rt.navigate(`/pages/agreement/index?id=${agreementId}`);
    await rt.settle();
    expect(page.data).toMatchObject({
      agreement: {
        note: AGREEMENT_NOTES.PAST_DUE.zh,
        noteTone: "warning",
        charges: [
          { statusText: "扣款成功", note: "" },
          { statusText: "已逾期", tone: "error", note: CHARGE_NOTES.PAST_DUE.zh },
        ],
      },
    });
  });

  test("every customer-facing note has Chinese and English", () => {
    const tables: Record<string, { zh: string; en: string }>[] = [AGREEMENT_NOTES, CHARGE_NOTES];
    for (const table of tables) {
      for (const [key, text] of Object.entries(table)) {
        expect(text.zh, key).toMatch(/[\u4e00-\u9fff]/);
        expect(text.en, key).toMatch(/^[\x20-\x7e]+$/);
      }
    }
  });

  test("open_id customers: the flow is the same (the app never reads an Alipay user id)", async () => {
    const { rt, page } = await subscribe({});
    expect(rt.requests.map((request) => `${request.method} ${path(request.url)}`)).toContain("POST /api/v1/sessions");
    expect(JSON.stringify(rt.requests.map((request) => request.body))).not.toMatch(/user_id|open_id|openId/);
    expect(page.data).toMatchObject({ phase: "agreement", agreement: { statusText: "生效中" } });
    expect(planId).toBeTruthy();
  });
});
