import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandboxControl, openIdFor } from "../src/index.ts";
import { APP_ID, createUser, signAgreement, startHarness, type Harness } from "./support/sandbox-harness.ts";
import { startReceiver } from "./support/notify-receiver.ts";

// Open-id apps (docs/alipay-protocol.md §19.1–19.2): every user field follows the app's userIdType.
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ timeScale: 0.001 });
  await harness.post("/sandbox/clock", { now: "2026-11-30T10:00:00+08:00" });
});
afterAll(() => harness.sandbox.close());

const control = () => createSandboxControl(harness.url);

async function signIn(userId: string) {
  const { body } = await control().createAuthCode(userId);
  return harness.sdk.exec(
    "alipay.system.oauth.token",
    { grant_type: "authorization_code", code: body.authCode },
    { validateSign: true },
  );
}

describe("userIdType", () => {
  it("is user_id by default: oauth.token answers user_id and no open_id", async () => {
    const user = await createUser(harness);
    const answer = await signIn(user.userId);
    expect(answer.user_id).toBe(user.userId);
    expect(answer).not.toHaveProperty("open_id");
  });

  it("open_id: oauth.token, the sign notification, agreement.query and trade.pay name the user by open id only", async () => {
    const set = await control().setAppSettings(APP_ID, { userIdType: "open_id" });
    expect(set.body).toEqual({ appId: APP_ID, name: "Test merchant", userIdType: "open_id" });
    expect((await control().info()).body.apps[0]?.userIdType).toBe("open_id");
    const receiver = await startReceiver();
    try {
      const user = await createUser(harness);
      const openId = openIdFor(APP_ID, user.userId);
      expect(openId).toMatch(/^[0-9A-Za-z]{46}$/);

      const token = await signIn(user.userId);
      expect(token.open_id).toBe(openId);
      expect(token).not.toHaveProperty("user_id");

      const { agreementNo } = await signAgreement(harness, { userId: user.userId, notifyUrl: receiver.url });
      await harness.sandbox.settleNotifications();
      const notifications = (await control().notifications()).body;
      const sign = notifications.find((n) => n.params.agreement_no === agreementNo);
      expect(sign?.params.alipay_open_id).toBe(openId);
      expect(sign?.params).not.toHaveProperty("alipay_user_id");

      const byOpenId = await harness.sdk.exec(
        "alipay.user.agreement.query",
        {
          bizContent: {
            personal_product_code: "CYCLE_PAY_AUTH_P",
            sign_scene: "INDUSTRY|DIGITAL_MEDIA",
            alipay_open_id: openId,
          },
        },
        { validateSign: true },
      );
      expect(byOpenId).toMatchObject({ code: "10000", agreement_no: agreementNo, principal_open_id: openId });
      expect(byOpenId).not.toHaveProperty("principal_id");

      const paid = await harness.sdk.exec(
        "alipay.trade.pay",
        {
          bizContent: {
            out_trade_no: `OPENID${Date.now()}`,
            total_amount: "19.90",
            subject: "会员",
            product_code: "GENERAL_WITHHOLDING",
            agreement_params: { agreement_no: agreementNo },
          },
        },
        { validateSign: true },
      );
      expect(paid).toMatchObject({ code: "10000", buyer_open_id: openId });
      expect(paid).not.toHaveProperty("buyer_user_id");
    } finally {
      await control().setAppSettings(APP_ID, { userIdType: "user_id" });
      await receiver.close();
    }
  });

  it("an open id is per app: another app id gives the same user another open id", () => {
    expect(openIdFor("2021000000000002", "2088000000000001")).not.toBe(openIdFor(APP_ID, "2088000000000001"));
  });
});

describe("agreement.query without an agreement", () => {
  it("is refused when it names no user (neither alipay_user_id nor alipay_open_id) and no external_agreement_no", async () => {
    const answer = await harness.sdk.exec(
      "alipay.user.agreement.query",
      { bizContent: { personal_product_code: "CYCLE_PAY_AUTH_P", sign_scene: "INDUSTRY|DIGITAL_MEDIA" } },
      { validateSign: true },
    );
    expect(answer).toMatchObject({ code: "40004", sub_code: "INVALID_PARAMETER" });
  });

  it("is answered for agreement_no alone", async () => {
    const user = await createUser(harness);
    const { agreementNo } = await signAgreement(harness, { userId: user.userId });
    const answer = await harness.sdk.exec(
      "alipay.user.agreement.query",
      { bizContent: { agreement_no: agreementNo } },
      { validateSign: true },
    );
    expect(answer).toMatchObject({ code: "10000", agreement_no: agreementNo, principal_id: user.userId });
  });
});
