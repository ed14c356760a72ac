import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { http, monthlyPlanId, noticePlanId, weeklyPlanId, type Json } from "./support/customer-client.ts";
import { createLogger } from "../src/logger.ts";
import { startStack, type Stack } from "./support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** Keys whose value is a secret or personal wherever they appear in a log line. */
const secretKeys = new Set([
  "sign",
  "signStr",
  "token",
  "authCode",
  "auth_code",
  "code",
  "privateKey",
  "alipay_logon_id",
  "buyer_logon_id",
  "authorization",
  "x-admin-key",
  "cookie",
  "set-cookie",
]);

/** Every `key: value` in a parsed log line whose key is secret and whose value is not redacted. */
function unredactedSecretKeys(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => unredactedSecretKeys(item, `${path}[${index}]`));
  if (!value || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => {
    const here = path ? `${path}.${key}` : key;
    // `code` is also Alipay's result code ("10000") and an error code: only an auth code's shape counts.
    if (key === "code" && (typeof inner !== "string" || /^[0-9A-Z_.]{0,12}$/.test(inner))) return [];
    if (secretKeys.has(key) && inner !== "[redacted]" && inner !== undefined) return [here];
    return unredactedSecretKeys(inner, here);
  });
}

const waitFor = async (check: () => Promise<boolean>, what: string) => {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe("logs of a full flow", () => {
  test("hold no private key, sign value, signStr, session token, auth code, admin key or full logon id", async () => {
    const secrets = new Map<string, string>();
    const remember = (label: string, value: unknown) => {
      if (typeof value === "string" && value.length >= 8) secrets.set(value, label);
    };

    // Sign in with a buyer whose logon id is personal data.
    const logonId = `alice.${randomUUID().slice(0, 8)}@example.com`;
    const user = await stack.control.createUser({ logonId, balance: "1000.00" });
    const userId = user.body.userId;
    const code = await stack.control.createAuthCode(userId);
    const authCode = code.body.authCode;
    const session = await http(`${stack.api}/api/v1/sessions`, { body: { authCode } });
    expect(session.status).toBe(201);
    const token = session.body.token as string;
    const customer = { authorization: `Bearer ${token}` };
    const as = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
      http(`${stack.api}${path}`, { headers: { ...customer, ...headers }, ...(body === undefined ? {} : { body }) });
    const admin = (path: string, body?: unknown) =>
      http(`${stack.api}${path}`, {
        headers: { "x-admin-key": stack.config.adminApiKey },
        ...(body === undefined ? {} : { body }),
      });
    remember("logon id", logonId);
    remember("auth code", authCode);
    remember("session token", token);
    remember("session token signature", token.split(".")[2]);

    const signAt = async (planId: string) => {
      const created = await as("/api/v1/agreements", { planId }, { "idempotency-key": randomUUID() });
      expect(created.status).toBe(201);
      const signStr = created.body.signStr as string;
      const sdkExecute = decodeURIComponent(signStr);
      remember("signStr", signStr);
      remember("signStr decoded", sdkExecute);
      remember("signStr's sign", new URLSearchParams(sdkExecute).get("sign"));
      const signed = await stack.control.signAtCenter({ signStr, userId, decision: "confirm" });
      const result = signed.body.result;
      remember("paySignCenter result", result);
      remember("paySignCenter result's sign", (JSON.parse(result) as Json).sign);
      return { id: (created.body.agreement as { id: string }).id, resultStatus: signed.body.resultStatus, result };
    };

    // A DIRECT plan: 7000 with a verified result → ACTIVE, then the dut_user_sign notification.
    const direct = await signAt(monthlyPlanId);
    const reported = await as(`/api/v1/agreements/${direct.id}/sign-result`, {
      resultStatus: direct.resultStatus,
      result: direct.result,
    });
    expect((reported.body.agreement as { status: string }).status).toBe("ACTIVE");

    // A forged result: the server refuses to trust it (and logs why).
    const forged = await signAt(weeklyPlanId);
    const tampered = forged.result.replace(/"agreement_no":"(\d)/, (_m, digit: string) => {
      return `"agreement_no":"${digit === "9" ? "1" : "9"}`;
    });
    const forgedAnswer = await as(`/api/v1/agreements/${forged.id}/sign-result`, {
      resultStatus: "7000",
      result: tampered,
    });
    expect(forgedAnswer.status).toBe(200);

    // A NOTICE plan: TEMP until the merchant calls sign.effect.
    const notice = await signAt(noticePlanId);
    await as(`/api/v1/agreements/${notice.id}/sign-result`, {
      resultStatus: notice.resultStatus,
      result: notice.result,
    });
    expect((await admin(`/admin/v1/agreements/${notice.id}/effect`, {})).status).toBe(200);
    expect((await admin(`/admin/v1/agreements/${direct.id}/sync`, {})).status).toBe(200);
    expect((await admin(`/admin/v1/agreements/${direct.id}`)).status).toBe(200);
    expect((await admin("/admin/v1/agreements")).status).toBe(200);

    // The console signs in: its session token travels in Set-Cookie and must never reach a log line.
    const consoleSignIn = await fetch(`${stack.api}/admin/v1/session`, {
      method: "POST",
      headers: { "x-admin-key": stack.config.adminApiKey },
    });
    expect(consoleSignIn.status).toBe(200);
    const consoleToken = /=([^;]+)/.exec(consoleSignIn.headers.get("set-cookie") ?? "")?.[1];
    expect(consoleToken).toMatch(/^\d{13}\./);
    remember("console session token", consoleToken);
    remember("console session token's signature", consoleToken?.split(".")[1]);

    // The customer stops one; Alipay notifies the unsign.
    expect((await as(`/api/v1/agreements/${direct.id}/unsign`, {})).status).toBe(200);

    // A forged notification and callers with wrong credentials.
    const forgedSign = Buffer.from(`forged-signature-${randomUUID()}`).toString("base64");
    remember("forged notification sign", forgedSign);
    const forgedNotify = await fetch(`${stack.api}/alipay/notify`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        notify_id: randomUUID(),
        notify_type: "dut_user_sign",
        app_id: stack.alipay.appId,
        alipay_logon_id: logonId,
        sign_type: "RSA2",
        sign: forgedSign,
      }),
    });
    expect(await forgedNotify.text()).toBe("fail");
    const wrongKey = `wrong-admin-key-${randomUUID()}`;
    remember("a wrong admin key", wrongKey);
    expect((await http(`${stack.api}/admin/v1/plans`, { headers: { "x-admin-key": wrongKey } })).status).toBe(401);
    expect(
      (await http(`${stack.api}/api/v1/agreements`, { headers: { authorization: `Bearer ${token}x` } })).status,
    ).toBe(401);

    // Every notification the sandbox sent has been answered.
    await waitFor(async () => {
      const sent = (await stack.control.notifications()).body;
      return sent.length >= 3 && sent.every((notification) => notification.delivered);
    }, "the sandbox's notifications to be delivered");
    const notifications = (await stack.control.notifications()).body;
    for (const { params } of notifications) remember("a notification's sign", params.sign);

    remember("admin key", stack.config.adminApiKey);
    remember("session secret", stack.config.sessionSecret);
    const pem = stack.config.alipay?.privateKey.pkcs8Pem ?? "";
    const keyLines = pem.split("\n").filter((line) => line && !line.startsWith("-----"));
    expect(keyLines.length).toBeGreaterThan(10);
    keyLines.forEach((line) => remember("a line of the app private key", line));

    // Act done: read the logs.
    const logs = stack.logs;
    const text = logs.join("\n");
    expect(text).toContain("notification recorded");
    expect(text).toContain("notification refused");
    expect(text).toContain("sign string issued");

    const leaks = [...secrets].filter(([value]) => text.includes(value)).map(([, label]) => label);
    const pemMarkers = ["BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY"].filter((marker) => text.includes(marker));
    const unredacted = logs.flatMap((line, index) =>
      unredactedSecretKeys(JSON.parse(line)).map((key) => `line ${index}: ${key}`),
    );
    console.log(
      `log-secrets: ${logs.length} log lines of a full flow (sign-in, 3 signings, notifications, effect, sync, unsign, ` +
        `forgeries) scanned for ${secrets.size} secret values and ${secretKeys.size} secret keys: ` +
        `${leaks.length + pemMarkers.length + unredacted.length} found`,
    );
    expect(leaks).toEqual([]);
    expect(pemMarkers).toEqual([]);
    expect(unredacted).toEqual([]);
  });
});

describe("the logger", () => {
  test("redacts secret keys at the top level and nested up to three levels down", () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "debug", destination: { write: (line: string) => void lines.push(line) } });
    const keys = [
      "sign",
      "signStr",
      "token",
      "authCode",
      "privateKey",
      "alipay_logon_id",
      "buyer_logon_id",
      "secret",
      "previousSecret",
    ];
    const planted = keys.map((key) => ({ key, value: `planted-${key}-${randomUUID()}` }));
    const flat = Object.fromEntries(planted.map(({ key, value }) => [key, value]));
    logger.info(flat, "top level");
    logger.info({ params: flat }, "one level down");
    logger.info({ notification: { params: flat } }, "two levels down");
    logger.info({ error: { request: { params: flat } } }, "three levels down");
    logger.child({ agreementId: randomUUID() }).warn({ answer: { response: flat } }, "in a child logger");
    const text = lines.join("\n");
    expect(lines).toHaveLength(5);
    const leaked = planted.filter(({ value }) => text.includes(value)).map(({ key }) => key);
    console.log(`log-secrets: ${keys.length} secret keys planted at 4 depths in 5 log lines: ${leaked.length} leaked`);
    expect(leaked).toEqual([]);
  });
});
