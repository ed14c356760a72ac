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
    { method: "alipay.system.oauth.token", code: "40002", subCode: "isv.invalid-signature", expected: true },
    { method: "alipay.trade.pay", code: "40002", subCode: "isv.invalid-app-id", expected: true },
    {
      method: "alipay.user.agreement.unsign",
      code: "40006",
      subCode: "isv.insufficient-isv-permissions",
      expected: true,
    },
    { method: "alipay.trade.pay", code: "40001", subCode: "isv.missing-signature", expected: true },
    { method: "alipay.system.oauth.token", code: "40002", subCode: "isv.code-invalid", expected: false },
    { method: "alipay.trade.pay", code: "40004", subCode: "ACQ.BUYER_BALANCE_NOT_ENOUGH", expected: false },
    { method: "alipay.trade.pay", code: "40005", subCode: "isv.app-call-limited", expected: false },
    { method: "alipay.trade.pay", code: "20000", subCode: "isp.unknow-error", expected: false },
  ] as const)("$method $code $subCode → $expected", ({ method, code, subCode, expected }) => {
    expect(isMerchantConfigurationFailure(method, { code, sub_code: subCode })).toBe(expected);
  });
});
