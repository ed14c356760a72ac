import { createSign, generateKeyPairSync, randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { defined } from "@paysign/test-kit";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApp } from "../src/app.ts";
import { devAdminApiKey, devSessionSecret, loadConfig } from "../src/env.ts";
import { syncAgreement } from "../src/services/agreement-sync.ts";
import { revokeSessions } from "../src/services/sessions.ts";
import { agreementState } from "./support/agreement-state.ts";
import { holdNextNotification, http, monthlyPlanId, signIn } from "./support/customer-client.ts";
import { postNotification, signedNotification } from "./support/forge-notification.ts";
import { startStack, testAppId, type Stack } from "./support/stack.ts";

// Issue 21: one test per finding, each an attack that worked on main before the hardening.
const attacks: string[] = [];
const tried = (attack: string) => attacks.push(attack);

const rsaPem = () =>
  generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
// The app's key pair and Alipay's are distinct: the app's own public key as ALIPAY_PUBLIC_KEY is refused at start-up.
const realApp = {
  ALIPAY_APP_ID: "2021000000000001",
  ALIPAY_PRIVATE_KEY: rsaPem().privateKey,
  ALIPAY_PUBLIC_KEY: rsaPem().publicKey,
};
const strong = { ADMIN_API_KEY: randomBytes(32).toString("hex"), SESSION_SECRET: randomBytes(32).toString("hex") };
const production = {
  NODE_ENV: "production",
  DATABASE_URL: "postgresql://paysign@db.internal/paysign",
  ALIPAY_NOTIFY_URL: "https://pay.example.com/alipay/notify",
  ...realApp,
  ...strong,
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    sandbox: { timeScale: 1 },
    env: { RATE_LIMIT_PER_MINUTE: "1000000", MAX_PENDING_AGREEMENTS_PER_CUSTOMER: "3" },
  });
});
afterAll(async () => {
  await stack.close();
  console.log(`security: ${attacks.length} attacks tried, none succeeded: ${attacks.join("; ")}`);
});

describe("finding 1: no published secret outside the embedded database with the sandbox", () => {
  test("a real database or a real Alipay app without NODE_ENV refuses to start, naming both secrets", () => {
    for (const env of [{ DATABASE_URL: "postgresql://paysign@db/paysign", HOST: "0.0.0.0" }, realApp]) {
      expect(() => loadConfig(env)).toThrow(/ADMIN_API_KEY: is required with DATABASE_URL/);
      expect(() => loadConfig(env)).toThrow(/SESSION_SECRET: is required with DATABASE_URL/);
    }
    expect(loadConfig({}).adminApiKey).toBe(devAdminApiKey);
    tried("start with a real database or Alipay app and no NODE_ENV on the published secrets");
  });

  test("the published development values are refused by name anywhere but embedded + sandbox", () => {
    const published = { ADMIN_API_KEY: devAdminApiKey, SESSION_SECRET: devSessionSecret };
    for (const env of [
      { DATABASE_URL: "postgresql://db/paysign", ...published },
      { ...production, ...published },
    ]) {
      expect(() => loadConfig(env)).toThrow(
        /ADMIN_API_KEY: must not be the published development value "dev-admin-key"/,
      );
      expect(() => loadConfig(env)).toThrow(/SESSION_SECRET: must not be the published development value/);
    }
    tried("configure the published dev-admin-key and session secret in production");
  });

  test("the development defaults need the sandbox's gateway and a loopback HOST", () => {
    const sandboxUrl = "http://127.0.0.1:4100";
    // A real app on Alipay's own gateway next to SANDBOX_URL, and the embedded database served on every interface.
    for (const env of [{ ...realApp, SANDBOX_URL: sandboxUrl }, { HOST: "0.0.0.0" }]) {
      expect(() => loadConfig(env)).toThrow(/ADMIN_API_KEY: is required with DATABASE_URL, a HOST other than loopback/);
      expect(() => loadConfig(env)).toThrow(/SESSION_SECRET: is required/);
    }
    const onTheSandbox = { ...realApp, SANDBOX_URL: sandboxUrl, ALIPAY_GATEWAY: `${sandboxUrl}/gateway.do` };
    expect(loadConfig(onTheSandbox).adminApiKey).toBe(devAdminApiKey);
    tried("use the published secrets with a real app's gateway beside SANDBOX_URL, or on HOST=0.0.0.0");
  });
});

describe("finding 2: a signing result names the customer's own Alipay user", () => {
  test("customer A cannot activate A's agreement with user B's genuine signed 7000 result, nor through the query", async () => {
    const customerA = await signIn(stack);
    const userB = (await stack.control.createUser({ balance: "1000.00" })).body.userId;
    const created = await customerA.as("/api/v1/agreements", { planId: monthlyPlanId });
    const id = (created.body.agreement as { id: string }).id;
    await holdNextNotification(stack, "dut_user_sign");
    const signedByB = await stack.control.signAtCenter({
      signStr: created.body.signStr as string,
      userId: userB,
      decision: "confirm",
    });
    expect(signedByB.body.resultStatus).toBe("7000");

    const reported = await customerA.as(`/api/v1/agreements/${id}/sign-result`, {
      resultStatus: "7000",
      result: signedByB.body.result,
    });
    expect(reported.status).toBe(200);
    expect((await agreementState(stack, id)).status).toBe("PENDING");
    const { agreement, answer } = await syncAgreement(stack.deps, id, { source: "ALIPAY_QUERY" });
    expect(answer.kind).toBe("found");
    expect(agreement.status).toBe("PENDING");
    expect(agreement.agreementNo).toBeNull();
    tried("activate A's agreement with B's signed 7000 result (client result and agreement.query)");
  });
});

describe("finding 3: production secrets are strong and Alipay URLs https", () => {
  test("weak secrets and plain-HTTP Alipay URLs are refused in production; strong ones start", () => {
    expect(loadConfig(production).adminApiKey).toBe(strong.ADMIN_API_KEY);
    const weak = { ...production, ADMIN_API_KEY: "a".repeat(12), SESSION_SECRET: "a".repeat(32) };
    expect(() => loadConfig(weak)).toThrow(/ADMIN_API_KEY: must be at least 32 characters/);
    expect(() => loadConfig(weak)).toThrow(/SESSION_SECRET: is too predictable/);
    expect(() => loadConfig({ ...production, ADMIN_API_KEY: "ab".repeat(32) })).toThrow(/ADMIN_API_KEY: is too/);
    const plain = {
      ...production,
      ALIPAY_GATEWAY: "http://openapi.alipay.com/gateway.do",
      ALIPAY_NOTIFY_URL: "http://pay.example.com/alipay/notify",
    };
    expect(() => loadConfig(plain)).toThrow(/ALIPAY_GATEWAY: must be an https:\/\/ URL in production/);
    expect(() => loadConfig(plain)).toThrow(/ALIPAY_NOTIFY_URL: must be an https:\/\/ URL in production/);
    tried("start production with 12 a's, 32 a's and http:// Alipay URLs");
  });

  test("variants of the published values and patterned secrets are refused in production", () => {
    const variants = {
      ...production,
      ADMIN_API_KEY: `${devAdminApiKey}-`.repeat(3),
      SESSION_SECRET: `${devSessionSecret}-${strong.SESSION_SECRET}`,
    };
    expect(() => loadConfig(variants)).toThrow(
      /ADMIN_API_KEY: must not be the published development value "dev-admin-key" nor contain it/,
    );
    expect(() => loadConfig(variants)).toThrow(/SESSION_SECRET: must not be the published development value/);
    for (const patterned of [
      "0123456789abcdef0123456789abcdef",
      "abcdefghijklmnopqrstuvwxyz012345",
      "Xq7!pL2mRw9@Kd3%Xq7!pL2mVb5^Hn8&",
    ]) {
      expect(() => loadConfig({ ...production, ADMIN_API_KEY: patterned })).toThrow(
        /ADMIN_API_KEY: is not random text/,
      );
    }
    tried("start production on variants of the published secrets and on sequential or repeated text");
  });
});

describe("finding 4: limits that hold", () => {
  let direct: Stack;
  let proxied: Stack;
  beforeAll(async () => {
    direct = await startStack({ env: { RATE_LIMIT_PER_MINUTE: "3", ADMIN_AUTH_FAILURE_LIMIT: "3" } });
    proxied = await startStack({
      env: { TRUST_PROXY: "1", RATE_LIMIT_PER_MINUTE: "1000", CUSTOMER_RATE_LIMIT_PER_MINUTE: "2" },
    });
  });
  afterAll(async () => {
    await direct.close();
    await proxied.close();
  });

  test("a new X-Forwarded-For per request does not escape the address limit without a trusted proxy", async () => {
    const statuses = [];
    for (let i = 1; i <= 4; i++) {
      const answer = await http(`${direct.api}/api/v1/plans`, { headers: { "x-forwarded-for": `203.0.113.${i}` } });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    tried("rotate X-Forwarded-For to escape the per-address limit");
  });

  test("wrong admin keys are logged and lock the address out, the right key included", async () => {
    const admin = (key: string) => http(`${direct.api}/admin/v1/plans`, { headers: { "x-admin-key": key } });
    expect((await admin(direct.config.adminApiKey)).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await admin(`wrong-${i}-${"x".repeat(20)}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await admin(direct.config.adminApiKey)).status).toBe(429);
    expect(direct.logs.filter((line) => line.includes("admin authentication failed"))).toHaveLength(3);
    tried("guess the admin key (then the right key is refused too)");
  });

  test("one customer is limited across addresses behind one trusted proxy", async () => {
    const user = await proxied.control.createUser({ balance: "10.00" });
    const code = await proxied.control.createAuthCode(user.body.userId);
    const session = await http(`${proxied.api}/api/v1/sessions`, { body: { authCode: code.body.authCode } });
    const token = session.body.token as string;
    const statuses = [];
    for (let i = 1; i <= 3; i++) {
      const answer = await http(`${proxied.api}/api/v1/agreements`, {
        headers: { authorization: `Bearer ${token}`, "x-forwarded-for": `198.51.100.${i}` },
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    tried("spread one customer's requests over many addresses");
  });

  test("live PENDING agreements are capped per customer and reporting again never resets the follow-up count", async () => {
    const customer = await signIn(stack);
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await customer.as("/api/v1/agreements", { planId: monthlyPlanId })).status);
    expect(statuses).toEqual([201, 201, 201, 409]);

    const [first] = await stack.database.db.prisma.agreement.findMany({
      where: { customerId: customer.customer.id as string },
    });
    const pending = defined(first, "a pending agreement");
    await stack.database.db.prisma.agreement.update({ where: { id: pending.id }, data: { followUpCount: 2 } });
    const reported = await customer.as(`/api/v1/agreements/${pending.id}/sign-result`, { resultStatus: "6002" });
    expect(reported.status).toBe(200);
    expect((await agreementState(stack, pending.id)).agreement.followUpCount).toBe(2);
    tried("create unlimited PENDING agreements and reset their follow-up count by reporting again");
  });

  test("reporting a result again does not ask Alipay again: only the first final result is queried at once", async () => {
    const customer = await signIn(stack);
    const created = await customer.as("/api/v1/agreements", { planId: monthlyPlanId });
    const id = (created.body.agreement as { id: string }).id;
    await stack.control.addFault({ method: "alipay.user.agreement.query", mode: "system-error", count: 100 });
    try {
      for (const resultStatus of ["6002", "7001", "6001", "7001", "7002", "6001"]) {
        const reported = await customer.as(`/api/v1/agreements/${id}/sign-result`, { resultStatus });
        expect(reported.status).toBe(200);
      }
      const faults = (await stack.control.faults()).body;
      const query = defined(
        faults.find((fault) => fault.method === "alipay.user.agreement.query"),
        "the agreement.query fault",
      );
      expect(query.count).toBe(99);
    } finally {
      await stack.control.clearFaults();
    }
    tried("spend the merchant's agreement.query quota by reporting sign results again and again");
  });
});

describe("finding 5: notification de-duplication is bound to the signed content", () => {
  const inboxRows = (notifyId: string) => stack.database.db.prisma.notificationInbox.findMany({ where: { notifyId } });
  const genuine = () =>
    signedNotification(
      {
        notify_id: randomBytes(17).toString("hex"),
        notify_time: "2026-11-22 10:00:00",
        notify_type: "dut_user_sign",
        app_id: testAppId,
        charset: "utf-8",
        version: "1.0",
        status: "NORMAL",
        agreement_no: `2024${randomBytes(8).toString("hex").replace(/\D/g, "1").padEnd(16, "1").slice(0, 16)}`,
        external_agreement_no: "NOSUCHAGREEMENT",
        personal_product_code: "CYCLE_PAY_AUTH_P",
        sign_scene: "INDUSTRY|DIGITAL_MEDIA",
      },
      stack.sandbox.alipayKeys.privateKey,
    );

  test("a genuine notification re-cut with notify_time inside notify_id is refused and stores nothing", async () => {
    const original = genuine();
    expect(await postNotification(stack, original)).toEqual({ status: 200, text: "success" });
    const { notify_time: notifyTime, ...rest } = original;
    const padded = { ...rest, notify_id: `${original.notify_id}&notify_time=${notifyTime}` };
    expect(await postNotification(stack, padded)).toEqual({ status: 400, text: "fail" });
    expect(await inboxRows(padded.notify_id)).toHaveLength(0);
    tried("replay a genuine notification as a new one by padding notify_id");
  });

  test("the hash is the app's configured sign type, not the message's", async () => {
    const params = genuine();
    const { sign: _sign, sign_type: _signType, ...unsigned } = params;
    const content = Object.keys(unsigned)
      .sort()
      .map((key) => `${key}=${unsigned[key]}`)
      .join("&");
    const sha1 = createSign("RSA-SHA1").update(content, "utf8").sign(stack.sandbox.alipayKeys.privateKey, "base64");
    expect(await postNotification(stack, { ...unsigned, sign_type: "RSA", sign: sha1 })).toEqual({
      status: 400,
      text: "fail",
    });
    expect(await inboxRows(defined(params.notify_id, "notify_id"))).toHaveLength(0);
    tried("downgrade a notification to sign_type RSA (SHA-1)");
  });
});

describe("finding 6: sessions carry exp and sub and can be revoked", () => {
  test("a token without exp is refused; a revoked token stops working; lifetimes are capped at 7 days", async () => {
    const customer = await signIn(stack);
    const now = Math.floor((await stack.clock.now()).getTime() / 1000);
    const noExpiry = await new SignJWT({ ver: 0 })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(customer.customer.id as string)
      .setIssuer("paysign")
      .setAudience("paysign-customer")
      .setIssuedAt(now)
      .sign(new TextEncoder().encode(stack.config.sessionSecret));
    const asToken = (token: string) =>
      http(`${stack.api}/api/v1/agreements`, { headers: { authorization: `Bearer ${token}` } });
    expect((await asToken(noExpiry)).status).toBe(401);
    // Issued longer ago than the session lifetime, with a far exp: the lifetime wins.
    const issuedLongAgo = now - stack.config.sessionTtlSeconds - 60;
    const farExpiry = await new SignJWT({ ver: 0 })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(customer.customer.id as string)
      .setIssuer("paysign")
      .setAudience("paysign-customer")
      .setIssuedAt(issuedLongAgo)
      .setExpirationTime(now + 365 * 86_400)
      .sign(new TextEncoder().encode(stack.config.sessionSecret));
    expect((await asToken(farExpiry)).status).toBe(401);

    expect((await customer.as("/api/v1/agreements")).status).toBe(200);
    await revokeSessions(stack.deps, customer.customer.id as string);
    expect((await customer.as("/api/v1/agreements")).status).toBe(401);
    expect((await signIn(stack)).token).toBeTruthy();
    expect(() => loadConfig({ SESSION_TTL_SECONDS: String(30 * 86_400) })).toThrow(/SESSION_TTL_SECONDS/);
    tried("use a token without exp, one past its lifetime with a far exp, a revoked token and a 30-day lifetime");
  });
});

describe("finding 7: HTTP hardening", () => {
  test("answers are no-store with a CSP; /docs has its own CSP; docs are off in production unless enabled", async () => {
    const customer = await signIn(stack);
    const answer = await fetch(`${stack.api}/api/v1/agreements`, {
      headers: { authorization: `Bearer ${customer.token}` },
    });
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.headers.get("content-security-policy")).toContain("default-src 'self'");
    const admin = await fetch(`${stack.api}/admin/v1/plans`, { headers: { "x-admin-key": stack.config.adminApiKey } });
    expect(admin.headers.get("cache-control")).toBe("no-store");
    const docs = await fetch(`${stack.api}/docs`);
    expect(docs.headers.get("content-security-policy")).toMatch(/script-src 'self' 'sha256-[\w+/=]+'/);

    expect(loadConfig(production).docsEnabled).toBe(false);
    expect(loadConfig({ ...production, DOCS_ENABLED: "true" }).docsEnabled).toBe(true);
    const app = createApp({ ...stack.deps, config: { ...stack.config, docsEnabled: false } });
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      expect((await fetch(`${base}/docs`)).status).toBe(404);
      expect((await fetch(`${base}/openapi.json`)).status).toBe(404);
    } finally {
      server.close();
    }
    tried("read cached tokens, frame or script the docs, browse /docs in production");
  });
});
