import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { http } from "./support/customer-client.ts";
import { startStack, type Stack } from "./support/stack.ts";

type LogLine = { level: number; msg: string; subCode?: string; fix?: string; method?: string };

/** docs/alipay-protocol.md §18.4: Alipay refuses a request timestamp too far from its own Beijing time. */
let stack: Stack;
beforeAll(async () => {
  // The server reads the host's clock; the sandbox's "Alipay" clock is moved a day ahead of it below.
  stack = await startStack({ serverClock: "system" });
});
afterAll(() => stack.close());

describe("a refused timestamp is the operator's configuration error", () => {
  test("sign-in with a server clock a day off: 503 merchant-side for the customer, never 'get a new auth code'", async () => {
    const user = await stack.control.createUser({ balance: "10.00" });
    const code = await stack.control.createAuthCode(user.body.userId);
    await stack.control.setClock(new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString());

    const answer = await http(`${stack.api}/api/v1/sessions`, { body: { authCode: code.body.authCode } });

    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: { code: "MERCHANT_UNAVAILABLE" } });
    expect(answer.text).not.toContain("getAuthCode");
    const errors = stack.logs.map((line) => JSON.parse(line) as LogLine).filter((line) => line.level >= 50);
    const refusal = errors.find((line) => line.subCode === "isv.invalid-timestamp");
    expect(refusal).toMatchObject({
      method: "alipay.system.oauth.token",
      msg: "Alipay refused paysign's configuration (isv.invalid-timestamp): the operator must fix it",
    });
    expect(refusal?.fix).toContain("Asia/Shanghai");
  });
});
