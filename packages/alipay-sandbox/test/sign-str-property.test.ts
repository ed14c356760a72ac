import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MONTHLY_BIZ,
  createUser,
  nextExternalNo,
  sdkExecuteWith,
  startHarness,
  type Harness,
  type SignResult,
} from "./support/sandbox-harness.ts";

/** The signing center's `result`: the page.sign response, read as JSON. */
type PageSignAnswer = { alipay_user_agreement_page_sign_response: Record<string, string> };

let harness: Harness;
let userId: string;

beforeAll(async () => {
  harness = await startHarness({ maxLiveAgreementsPerUser: 1_000 });
  userId = (await createUser(harness)).userId;
});
afterAll(() => harness.sandbox.close());

describe("signStr decoding", () => {
  it("signs any external_logon_id the SDK can encode (unicode, %, +, &, =, spaces) and shows it back", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }), async (logon) => {
        const biz = { ...MONTHLY_BIZ, external_agreement_no: nextExternalNo(), external_logon_id: logon };
        const signStr = sdkExecuteWith(harness.sdk, biz, {});
        const { body } = await harness.post<SignResult>("/sandbox/sign-center", {
          signStr,
          userId,
          decision: "confirm",
        });
        expect(body.memo).toBe("");
        const response = (JSON.parse(body.result) as PageSignAnswer).alipay_user_agreement_page_sign_response;
        expect(response.external_logon_id).toBe(logon);
      }),
      { numRuns: 40 },
    );
  });

  it("never signs a signStr that was only encoded once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 20 }), async (logon) => {
        const biz = { ...MONTHLY_BIZ, external_agreement_no: nextExternalNo(), external_logon_id: logon };
        const once = decodeURIComponent(sdkExecuteWith(harness.sdk, biz, {}));
        const { body } = await harness.post<SignResult>("/sandbox/sign-center", {
          signStr: once,
          userId,
          decision: "confirm",
        });
        expect(body.resultStatus).toBe("7002");
      }),
      { numRuns: 20 },
    );
  });
});
