import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MONTHLY_BIZ,
  createUser,
  nextExternalNo,
  signAgreement,
  startHarness,
  type Harness,
} from "./support/sandbox-harness.ts";
import { startReceiver } from "./support/notify-receiver.ts";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await harness.post("/sandbox/clock", { now: "2026-11-28T10:00:00+08:00" });
});
afterAll(() => harness.sandbox.close());

const exec = (method: string, bizContent: Record<string, unknown>, extra: Record<string, string> = {}) =>
  harness.sdk.exec(method, { ...extra, bizContent }, { validateSign: true });

async function signed(biz: Record<string, unknown> = {}, notifyUrl?: string) {
  const externalNo = nextExternalNo();
  const userId = (await createUser(harness)).userId;
  const { agreementNo } = await signAgreement(harness, {
    userId,
    biz: { ...MONTHLY_BIZ, external_agreement_no: externalNo, ...biz },
    ...(notifyUrl ? { notifyUrl } : {}),
  });
  return { agreementNo, externalNo, userId };
}

describe("alipay.user.agreement.query", () => {
  it("finds an agreement by personal_product_code + sign_scene + external_agreement_no", async () => {
    const { agreementNo, externalNo } = await signed();
    const result = await exec("alipay.user.agreement.query", {
      personal_product_code: "CYCLE_PAY_AUTH_P",
      sign_scene: MONTHLY_BIZ.sign_scene,
      external_agreement_no: externalNo,
    });
    expect(result).toMatchObject({
      code: "10000",
      agreement_no: agreementNo,
      external_agreement_no: externalNo,
      single_quota: "19.90",
    });
  });

  it("answers USER_AGREEMENT_NOT_EXIST for an unknown external_agreement_no", async () => {
    const result = await exec("alipay.user.agreement.query", {
      personal_product_code: "CYCLE_PAY_AUTH_P",
      sign_scene: MONTHLY_BIZ.sign_scene,
      external_agreement_no: "NEVER1",
    });
    expect(result.sub_code).toBe("USER_AGREEMENT_NOT_EXIST");
  });

  it("answers INVALID_PARAMETER when external_agreement_no comes without a sign_scene", async () => {
    const result = await exec("alipay.user.agreement.query", {
      personal_product_code: "CYCLE_PAY_AUTH_P",
      external_agreement_no: "NEVER1",
    });
    expect(result.sub_code).toBe("INVALID_PARAMETER");
  });

  it("answers AGREEMENT_HAS_UNSIGNED after unsign", async () => {
    const { agreementNo } = await signed();
    await exec("alipay.user.agreement.unsign", { agreement_no: agreementNo });
    expect((await exec("alipay.user.agreement.query", { agreement_no: agreementNo })).sub_code).toBe(
      "AGREEMENT_HAS_UNSIGNED",
    );
  });

  it("answers USER_AGREEMENT_NOT_EXIST once the agreement expired", async () => {
    // Signed at 10:00:00 and asked a minute past its day: the simulated clock runs on while the test signs.
    await harness.post("/sandbox/clock", { now: "2026-11-28T10:00:00+08:00" });
    const { agreementNo } = await signed({ sign_validity_period: "1d" });
    await harness.post("/sandbox/clock", { now: "2026-11-29T10:01:00+08:00" });
    try {
      expect((await exec("alipay.user.agreement.query", { agreement_no: agreementNo })).sub_code).toBe(
        "USER_AGREEMENT_NOT_EXIST",
      );
    } finally {
      await harness.post("/sandbox/clock", { now: "2026-11-28T10:00:00+08:00" });
    }
  });

  it("does not show another app's agreements", async () => {
    const { agreementNo } = await signed();
    const { generateRsaKeyPair } = await import("../src/index.ts");
    const other = generateRsaKeyPair();
    harness.sandbox.registerApp({ appId: "2021000000000777", publicKey: other.publicKey });
    const sdk = harness.sdkFor({ appId: "2021000000000777", privateKey: other.privateKey });
    const result = await sdk.exec(
      "alipay.user.agreement.query",
      { bizContent: { agreement_no: agreementNo } },
      { validateSign: true },
    );
    expect(result.sub_code).toBe("USER_AGREEMENT_NOT_EXIST");
  });
});

describe("alipay.user.agreement.unsign", () => {
  it("unsigns by external_agreement_no and notifies the unsign request's notify_url", async () => {
    const merchant = await startReceiver();
    try {
      const { agreementNo, externalNo } = await signed();
      const result = await exec(
        "alipay.user.agreement.unsign",
        {
          personal_product_code: "CYCLE_PAY_AUTH_P",
          sign_scene: MONTHLY_BIZ.sign_scene,
          external_agreement_no: externalNo,
        },
        { notify_url: merchant.url },
      );
      expect(result).toMatchObject({ code: "10000" });
      const [notification] = await merchant.waitFor(1);
      expect(notification?.params).toMatchObject({
        notify_type: "dut_user_unsign",
        agreement_no: agreementNo,
        external_agreement_no: externalNo,
      });
    } finally {
      await merchant.close();
    }
  });

  it("answers AGREEMENT_NOT_EXIST for an unknown agreement and USER_AGREEMENT_STATUS_NOT_NORMAL twice", async () => {
    expect((await exec("alipay.user.agreement.unsign", { agreement_no: "20260000000000000000" })).sub_code).toBe(
      "AGREEMENT_NOT_EXIST",
    );
    const { agreementNo } = await signed();
    await exec("alipay.user.agreement.unsign", { agreement_no: agreementNo });
    expect((await exec("alipay.user.agreement.unsign", { agreement_no: agreementNo })).sub_code).toBe(
      "USER_AGREEMENT_STATUS_NOT_NORMAL",
    );
  });

  it("lets the same external_agreement_no be signed again after unsign", async () => {
    const { agreementNo, externalNo, userId } = await signed();
    await exec("alipay.user.agreement.unsign", { agreement_no: agreementNo });
    const again = await signAgreement(harness, { userId, biz: { ...MONTHLY_BIZ, external_agreement_no: externalNo } });
    expect(again.result.resultStatus).toBe("7000");
    expect(again.agreementNo).not.toBe(agreementNo);
  });
});

describe("alipay.user.agreement.sign.effect", () => {
  it("turns TEMP into NORMAL and sends dut_user_sign then, not at signing", async () => {
    const merchant = await startReceiver();
    try {
      const { agreementNo } = await signed({ agreement_effect_type: "NOTICE" }, merchant.url);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(merchant.received).toHaveLength(0);
      expect((await exec("alipay.user.agreement.query", { agreement_no: agreementNo })).status).toBe("TEMP");
      expect((await exec("alipay.user.agreement.sign.effect", { agreement_no: agreementNo })).status).toBe("NORMAL");
      const [notification] = await merchant.waitFor(1);
      expect(notification?.params).toMatchObject({
        notify_type: "dut_user_sign",
        status: "NORMAL",
        agreement_no: agreementNo,
      });
    } finally {
      await merchant.close();
    }
  });
});

describe("alipay.system.oauth.token", () => {
  it("exchanges a refresh_token for a new access token of the same user", async () => {
    const userId = (await createUser(harness)).userId;
    const { body } = await harness.post<{ authCode: string }>("/sandbox/auth-codes", { userId });
    const first = await harness.sdk.exec(
      "alipay.system.oauth.token",
      { grant_type: "authorization_code", code: body.authCode },
      { validateSign: true },
    );
    const refreshed = await harness.sdk.exec(
      "alipay.system.oauth.token",
      { grant_type: "refresh_token", refresh_token: String(first.refresh_token) },
      { validateSign: true },
    );
    expect(refreshed).toMatchObject({ code: "10000", user_id: userId });
  });

  it("rejects an auth code that was never issued", async () => {
    const result = await harness.sdk.exec(
      "alipay.system.oauth.token",
      { grant_type: "authorization_code", code: "nope" },
      { validateSign: true },
    );
    expect(result.sub_code).toBe("isv.code-invalid");
  });
});
