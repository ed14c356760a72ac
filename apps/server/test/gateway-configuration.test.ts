import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateRsaKeyPair } from "@paysign/alipay-sandbox";
import { isMerchantConfigurationFailure } from "@paysign/contracts/alipay";
import { http } from "./support/customer-client.ts";
import { startStack, testAppId, type Stack } from "./support/stack.ts";

type LogLine = { level: number; msg: string; subCode?: string; fix?: string; method?: string; subMsg?: string };

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe("Alipay refusing the merchant's own configuration", () => {
  test("a wrong app private key: the customer gets a temporary merchant-side 503, the operator an error with the fix", async () => {
    const user = await stack.control.createUser({ balance: "10.00" });
    const code = await stack.control.createAuthCode(user.body.userId);
    // The console holds another app public key than the one of the private key the server signs with.
    stack.sandbox.registerApp({ appId: testAppId, publicKey: generateRsaKeyPair().publicKey, name: "rotated" });
    try {
      const answer = await http(`${stack.api}/api/v1/sessions`, { body: { authCode: code.body.authCode } });

      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ error: { code: "MERCHANT_UNAVAILABLE" } });
      expect(answer.text).not.toContain("getAuthCode");
      const errors = stack.logs.map((line) => JSON.parse(line) as LogLine).filter((line) => line.level >= 50);
      const refusal = errors.find((line) => line.subCode === "isv.invalid-signature");
      expect(refusal).toMatchObject({
        method: "alipay.system.oauth.token",
        msg: "Alipay refused paysign's configuration (isv.invalid-signature): the operator must fix it",
      });
      expect(refusal?.fix).toContain("ALIPAY_PRIVATE_KEY is not the private key of the app public key");
      expect(refusal?.subMsg).toBeUndefined();
    } finally {
      stack.sandbox.registerApp({
        appId: testAppId,
        publicKey: stack.appKeys.publicKey,
        name: "paysign test merchant",
      });
    }
  });

  test("a spent auth code stays the customer's: 401, get a new one", async () => {
    const answer = await http(`${stack.api}/api/v1/sessions`, { body: { authCode: "spent-code" } });
    expect(answer.status).toBe(401);
    expect(answer.text).toContain("call my.getAuthCode again");
  });
});

describe("which refusals are the merchant's", () => {
  test.each([
    ["alipay.system.oauth.token", "40002", "isv.invalid-signature", true],
    ["alipay.trade.pay", "40002", "isv.invalid-app-id", true],
    ["alipay.user.agreement.unsign", "40006", "isv.insufficient-isv-permissions", true],
    ["alipay.trade.pay", "40001", "isv.missing-signature", true],
    ["alipay.system.oauth.token", "40002", "isv.code-invalid", false],
    ["alipay.trade.pay", "40004", "ACQ.BUYER_BALANCE_NOT_ENOUGH", false],
    ["alipay.trade.pay", "40005", "isv.app-call-limited", false],
    ["alipay.trade.pay", "20000", "isp.unknow-error", false],
  ] as const)("%s %s %s → %s", (method, code, subCode, expected) => {
    expect(isMerchantConfigurationFailure(method, { code, sub_code: subCode })).toBe(expected);
  });
});
