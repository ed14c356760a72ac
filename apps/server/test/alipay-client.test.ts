import { execFile } from "node:child_process";
import { createSign } from "node:crypto";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import { createSandbox, generateRsaKeyPair, type Sandbox } from "@paysign/alipay-sandbox";
import { addDays, formatAlipayDateTime, shanghaiDateOf, tryParseAlipayDateTime } from "@paysign/contracts";
import { alipayResponseKey, decodePaySignStr } from "@paysign/contracts/alipay";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAlipayClient, type AlipayCallResult, type AlipayClient } from "../src/alipay/alipay-client.ts";
import { toAlipayConfig, type AlipayConfig } from "../src/alipay/alipay-config.ts";
import { inProcessSandboxClock } from "../src/clock.ts";
import { createLogger } from "../src/logger.ts";

const run = promisify(execFile);
const appId = "2021000000000077";
const appKeys = generateRsaKeyPair();
const notifyUrl = "http://127.0.0.1:9/alipay/notify";
/** Far from the real date, so a timestamp taken from the host's clock instead of the server's Clock is refused. */
const simulatedNow = "2026-11-28T10:00:00+08:00";

type ReceivedRequest = { params: Record<string, string>; receivedAt: Date };
type Answer = Record<string, unknown>;

let sandbox: Sandbox;
let gateway: Server;
let gatewayUrl: string;
let received: ReceivedRequest[] = [];
/** When set, the gateway changes the sandbox's answer and signs it again with the sandbox's Alipay key. */
let rewriteAnswer: ((answer: Answer) => Answer) | undefined;
/** When set, the rewritten answer is signed with this key instead (a forgery). */
let forgeryKey: string | undefined;
let logs: string[] = [];
let client: AlipayClient;

function alipayConfig(gateway: string): AlipayConfig {
  return toAlipayConfig({
    ALIPAY_APP_ID: appId,
    ALIPAY_PRIVATE_KEY: appKeys.privateKey,
    ALIPAY_KEY_MODE: "public-key",
    ALIPAY_PUBLIC_KEY: sandbox.alipayPublicKey,
    ALIPAY_SIGN_TYPE: "RSA2",
    ALIPAY_GATEWAY: gateway,
    ALIPAY_NOTIFY_URL: notifyUrl,
    ALIPAY_TIMEOUT_MS: 3_000,
  });
}

function resign(method: string, body: string, rewrite: (answer: Answer) => Answer): string {
  const responseKey = alipayResponseKey(method);
  const answer = (JSON.parse(body) as Record<string, Answer>)[responseKey];
  if (!answer) return body;
  const inner = JSON.stringify(rewrite(answer));
  const key = forgeryKey ?? sandbox.alipayKeys.privateKey;
  const sign = createSign("RSA-SHA256").update(inner, "utf8").sign(key, "base64");
  return `{"${responseKey}":${inner},"sign":"${sign}"}`;
}

/** The sandbox's gateway behind a loopback hop that records every request's parameters as the sandbox got them. */
async function startRecordingGateway(): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://gateway");
      const body = Buffer.concat(chunks).toString("utf8");
      const params = Object.fromEntries([...url.searchParams, ...new URLSearchParams(body)]);
      received.push({ params, receivedAt: sandbox.now() });
      const forwarded = fetch(`${sandbox.gatewayUrl}${url.search}`, {
        method: request.method ?? "POST",
        headers: { "content-type": request.headers["content-type"] ?? "application/x-www-form-urlencoded" },
        body: request.method === "GET" ? undefined : body,
      });
      void forwarded
        .then((answer) => answer.text())
        .then((text) => {
          const rewrite = rewriteAnswer;
          const sent = rewrite ? resign(params.method ?? "", text, rewrite) : text;
          response.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(sent);
        })
        .catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function control<T>(pathname: string, body: unknown): Promise<T> {
  const response = await fetch(`${sandbox.url}${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as T;
}

function lastRequest(method: string): Record<string, string> {
  const request = received.findLast((candidate) => candidate.params.method === method);
  if (!request) throw new Error(`the gateway saw no ${method}`);
  return request.params;
}

/** A user with `balance` and a signed DAY agreement whose first deduction date is tomorrow (inside the window). */
async function signedAgreement(balance: string): Promise<string> {
  const { userId } = await control<{ userId: string }>("/sandbox/users", { balance });
  const tomorrow = addDays(shanghaiDateOf(sandbox.now()), 1);
  const signStr = await client.buildPaySignStr({
    personal_product_code: "CYCLE_PAY_AUTH_P",
    product_code: "GENERAL_WITHHOLDING",
    sign_scene: "INDUSTRY|DIGITAL_MEDIA",
    external_agreement_no: `TC${Date.now()}${Math.floor(Math.random() * 1000)}`,
    access_params: { channel: "ALIPAYAPP" },
    period_rule_params: { period_type: "DAY", period: 7, execute_time: tomorrow, single_amount: "19.90" },
  });
  const signed = await control<{ resultStatus: string; result: string }>("/sandbox/sign-center", {
    signStr,
    userId,
    decision: "confirm",
  });
  expect(signed.resultStatus).toBe("7000");
  const result = JSON.parse(signed.result) as Record<string, { agreement_no: string }>;
  return result[alipayResponseKey("alipay.user.agreement.page.sign")]?.agreement_no ?? "";
}

function tradePay(agreementNo: string, outTradeNo: string) {
  return client.call("alipay.trade.pay", {
    out_trade_no: outTradeNo,
    total_amount: "19.90",
    subject: "typed client",
    product_code: "GENERAL_WITHHOLDING",
    agreement_params: { agreement_no: agreementNo },
  });
}

beforeAll(async () => {
  // Like Alipay, the sandbox refuses a timestamp more than a minute from its (simulated) now.
  sandbox = createSandbox({ timeScale: 0.0001, timestampToleranceMinutes: 1, timeoutFaultMs: 5_000 });
  await sandbox.listen(0);
  sandbox.registerApp({ appId, publicKey: appKeys.publicKey, name: "typed client test" });
  await control("/sandbox/clock", { now: simulatedNow });
  gateway = await startRecordingGateway();
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as { port: number }).port}/gateway.do`;
  const logger = createLogger({ level: "debug", destination: { write: (line: string) => void logs.push(line) } });
  client = createAlipayClient(alipayConfig(gatewayUrl), { clock: inProcessSandboxClock(sandbox), logger });
});

beforeEach(() => {
  received = [];
  rewriteAnswer = undefined;
  forgeryKey = undefined;
  logs = [];
});

afterAll(async () => {
  await new Promise<void>((resolve) => gateway.close(() => resolve()));
  await sandbox.close();
});

describe("the typed Alipay client", () => {
  it("a success answer comes back parsed with its method's schema", async () => {
    const agreementNo = await signedAgreement("100.00");
    const pay = await tradePay(agreementNo, "TYPED_OK_1");
    if (pay.kind !== "success") throw new Error(`trade.pay answered ${JSON.stringify(pay)}`);
    expect(pay.response.trade_no).toMatch(/^[0-9]{28}$/);
    expect(pay.response.total_amount).toBe("19.90");
    expect(tryParseAlipayDateTime(pay.response.gmt_payment ?? "")).toBeInstanceOf(Date);

    const query = await client.call("alipay.trade.query", { out_trade_no: "TYPED_OK_1" });
    expect(query).toMatchObject({ kind: "success", response: { trade_status: "TRADE_SUCCESS" } });
  });

  it("a business failure carries its class, code, sub_code and sub_msg", async () => {
    const notFound = await client.call("alipay.trade.query", { out_trade_no: "TYPED_MISSING" });
    expect(notFound).toEqual({
      kind: "business-failure",
      class: "definitive",
      code: "40004",
      subCode: "ACQ.TRADE_NOT_EXIST",
      subMsg: expect.any(String) as unknown,
    });

    const agreementNo = await signedAgreement("1.00");
    const poor = await tradePay(agreementNo, "TYPED_POOR_1");
    expect(poor).toEqual({
      kind: "business-failure",
      class: "retryable",
      code: "40004",
      subCode: "ACQ.BUYER_BALANCE_NOT_ENOUGH",
      subMsg: "买家余额不足",
    });

    const badCode = await client.call("alipay.system.oauth.token", { grant_type: "authorization_code", code: "nope" });
    expect(badCode).toEqual({
      kind: "business-failure",
      class: "definitive",
      code: "40002",
      subCode: "isv.code-invalid",
      subMsg: "授权码code无效",
    });
  });

  it("an answer classified as lost is an unknown outcome that keeps its codes", async () => {
    const agreementNo = await signedAgreement("100.00");
    await control("/sandbox/faults", { method: "alipay.trade.pay", mode: "acq-system-error" });
    const pay = await tradePay(agreementNo, "TYPED_LOST_1");
    expect(pay).toEqual({
      kind: "unknown-outcome",
      cause: "ambiguous-answer",
      reason: "40004 ACQ.SYSTEM_ERROR",
      code: "40004",
      subCode: "ACQ.SYSTEM_ERROR",
      subMsg: "系统异常",
    });
  });

  it("no answer within the timeout is an unknown outcome", async () => {
    await control("/sandbox/faults", { method: "alipay.trade.query", mode: "timeout" });
    const query = await client.call("alipay.trade.query", { out_trade_no: "TYPED_TIMEOUT" });
    expect(query).toMatchObject({ kind: "unknown-outcome", cause: "no-answer", code: undefined });
    expect(query.kind === "unknown-outcome" && query.reason).toMatch(/timeout/i);
  });

  it.each<[string, Answer]>([
    ["a trade status Alipay does not have", { trade_status: "PAID" }],
    ["a payment time that is not Alipay's format", { send_pay_date: "2026/11/28 10:00" }],
  ])("a success answer with %s is an unknown outcome, logged", async (_name, change) => {
    const agreementNo = await signedAgreement("100.00");
    await tradePay(agreementNo, "TYPED_ODD_1");
    rewriteAnswer = (answer) => ({ ...answer, ...change });
    const query = await client.call("alipay.trade.query", { out_trade_no: "TYPED_ODD_1" });
    const field = Object.keys(change)[0] ?? "";
    expect(query).toMatchObject({ kind: "unknown-outcome", cause: "unreadable-success" });
    expect(query.kind === "unknown-outcome" && query.reason).toContain(field);
    const warnings = logs.map((line) => JSON.parse(line) as { level: number; method?: string; issues?: string[] });
    expect(warnings).toContainEqual(
      expect.objectContaining({ level: 40, method: "alipay.trade.query", issues: [expect.stringContaining(field)] }),
    );
  });

  it("a success answer whose signature does not verify is an unknown outcome", async () => {
    const agreementNo = await signedAgreement("100.00");
    await tradePay(agreementNo, "TYPED_FORGED_1");
    rewriteAnswer = (answer) => answer;
    forgeryKey = generateRsaKeyPair().privateKey;
    const query = await client.call("alipay.trade.query", { out_trade_no: "TYPED_FORGED_1" });
    expect(query).toMatchObject({ kind: "unknown-outcome", cause: "no-answer", code: undefined });
  });
});

describe("the client owns the common parameters", () => {
  it("notify_url comes from its configuration, on trade.pay, unsign and the sign string only", async () => {
    const agreementNo = await signedAgreement("100.00");
    const signStr = decodePaySignStr(
      await client.buildPaySignStr({
        personal_product_code: "GENERAL_WITHHOLDING_P",
        access_params: { channel: "ALIPAYAPP" },
      }),
    );
    expect(signStr.ok && signStr.value.notify_url).toBe(notifyUrl);

    await tradePay(agreementNo, "TYPED_NOTIFY_1");
    await client.call("alipay.trade.query", { out_trade_no: "TYPED_NOTIFY_1" });
    await client.call("alipay.user.agreement.query", { agreement_no: agreementNo });
    await client.call("alipay.user.agreement.sign.effect", { agreement_no: agreementNo });
    await client.call("alipay.user.agreement.executionplan.modify", {
      agreement_no: agreementNo,
      deduct_time: addDays(shanghaiDateOf(sandbox.now()), 30),
    });
    await client.call("alipay.user.agreement.unsign", { agreement_no: agreementNo });
    await client.call("alipay.system.oauth.token", { grant_type: "authorization_code", code: "unused" });

    const notifyUrlByMethod = Object.fromEntries(
      received.map(({ params }) => [String(params.method), params.notify_url ?? null] as const),
    );
    expect(notifyUrlByMethod).toEqual({
      "alipay.trade.pay": notifyUrl,
      "alipay.trade.query": null,
      "alipay.user.agreement.query": null,
      "alipay.user.agreement.sign.effect": null,
      "alipay.user.agreement.executionplan.modify": null,
      "alipay.user.agreement.unsign": notifyUrl,
      "alipay.system.oauth.token": null,
    });
    expect(lastRequest("alipay.system.oauth.token")).toMatchObject({
      grant_type: "authorization_code",
      code: "unused",
    });
  });

  it("timestamp is the Shanghai wall time of the server's clock, which here is the sandbox's simulated one", async () => {
    await client.call("alipay.trade.query", { out_trade_no: "TYPED_TIME_1" });
    const [request] = received;
    const timestamp = request?.params.timestamp ?? "";
    expectWithinSeconds(timestamp, request?.receivedAt ?? new Date(0), 2);
    expect(timestamp.slice(0, 10)).toBe("2026-11-28");
  });

  it.each(["UTC", "America/Los_Angeles"])(
    "with TZ=%s the gateway and the sign string get Shanghai wall time",
    async (timeZone) => {
      const before = sandbox.now();
      const { stdout } = await run(
        process.execPath,
        [
          "--import",
          "tsx",
          "--conditions=@paysign/source",
          path.join(import.meta.dirname, "support/alipay-client-child.ts"),
        ],
        {
          cwd: path.join(import.meta.dirname, ".."),
          env: {
            PATH: process.env.PATH,
            TZ: timeZone,
            NODE_ENV: "test",
            SANDBOX_URL: sandbox.url,
            ALIPAY_APP_ID: appId,
            ALIPAY_PRIVATE_KEY: appKeys.privateKey,
            ALIPAY_PUBLIC_KEY: sandbox.alipayPublicKey,
            ALIPAY_GATEWAY: gatewayUrl,
            ALIPAY_NOTIFY_URL: notifyUrl,
          },
        },
      );
      const after = sandbox.now();
      const child = JSON.parse(stdout) as {
        timezoneOffsetMinutes: number;
        query: AlipayCallResult<"alipay.trade.query">;
        signStr: string;
      };
      // The zone took effect in the child: alipay-sdk's own timestamp would be formatted in it.
      expect(timeZone === "UTC" ? [0] : [420, 480]).toContain(child.timezoneOffsetMinutes);
      // The strict sandbox accepted the timestamp (an isv.invalid-timestamp would be a 40002).
      expect(child.query).toMatchObject({ kind: "business-failure", subCode: "ACQ.TRADE_NOT_EXIST" });
      const [request] = received;
      expectWithinSeconds(request?.params.timestamp ?? "", request?.receivedAt ?? new Date(0), 2);

      const signed = decodePaySignStr(child.signStr);
      if (!signed.ok) throw new Error(signed.reason);
      const stamped = tryParseAlipayDateTime(signed.value.timestamp ?? "")?.getTime() ?? Number.NaN;
      expect(stamped).toBeGreaterThanOrEqual(before.getTime() - 1_000);
      expect(stamped).toBeLessThanOrEqual(after.getTime());
    },
  );
});

function expectWithinSeconds(timestamp: string, instant: Date, seconds: number): void {
  const stamped = tryParseAlipayDateTime(timestamp);
  if (!stamped) throw new Error(`"${timestamp}" is not yyyy-MM-dd HH:mm:ss`);
  const distance = Math.abs(stamped.getTime() - instant.getTime());
  expect(distance, `${timestamp} vs ${formatAlipayDateTime(instant)}`).toBeLessThanOrEqual(seconds * 1000);
}
