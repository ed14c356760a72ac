import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { inject } from "vitest";
import {
  createSandbox,
  createSandboxControl,
  generateRsaKeyPair,
  type Sandbox,
  type SandboxControl,
  type SandboxNotificationView,
  type SandboxOptions,
  type SandboxTradeView,
} from "@paysign/alipay-sandbox";
import { createDatabase, type Database } from "@paysign/server";
import { freePort } from "@paysign/test-kit";
import { startApi, type ApiProcess } from "./api-process.ts";
import { startCluster, type Cluster } from "./cluster.ts";
import { http, type HttpAnswer, type Json } from "./http.ts";
import { startNotifyProxy, type NotifyProxy } from "./notify-proxy.ts";

const appId = "2021000000000099";

export type Stack = {
  name: string;
  cluster: Cluster;
  sandbox: Sandbox;
  /** The sandbox's control API over HTTP. */
  control: SandboxControl;
  api: ApiProcess;
  /** Between the sandbox and POST /alipay/notify (ALIPAY_NOTIFY_URL points at it). */
  notifyProxy: NotifyProxy;
  /** A Prisma client of the scenario's database, to judge the end state. */
  db: Database;
  adminKey: string;
  /** A value that must never appear in any log; `label` says what it is. */
  rememberSecret(label: string, value: unknown): void;
  secrets: Map<string, string>;
  admin(path: string, body?: unknown, method?: string): Promise<HttpAnswer>;
  close(): Promise<void>;
};

export type StackOptions = {
  /** Names the log files of the scenario. */
  name: string;
  sandbox?: SandboxOptions;
  /** Extra API environment (DEDUCTION_*, FOLLOW_UP_*, JOBS_*…). */
  env?: Record<string, string>;
  /** Puts this in front of the sandbox gateway (ALIPAY_GATEWAY), given the sandbox's gateway URL. */
  gateway?: (sandboxGatewayUrl: string) => Promise<{ url: string; close(): Promise<void> }>;
};

/**
 * One scenario's world on loopback: its own PostgreSQL cluster, the sandbox (Alipay) in this process, a proxy for
 * notifications, and the API in a child process configured by its environment, as in production. `close()` stops
 * everything it started, whatever state the scenario left it in.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    return await build(options, cleanups, closeAll);
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function build(
  options: StackOptions,
  cleanups: Array<() => Promise<unknown>>,
  closeAll: () => Promise<void>,
): Promise<Stack> {
  const logDir = inject("reliabilityLogDir");
  const secrets = new Map<string, string>();
  const rememberSecret = (label: string, value: unknown) => {
    if (typeof value === "string" && value.length >= 12) secrets.set(value, label);
  };

  const cluster = await startCluster();
  cleanups.push(() => cluster.destroy());
  const appKeys = generateRsaKeyPair();
  const sandbox = createSandbox({ timeScale: 0.0001, ...options.sandbox });
  await sandbox.listen(0);
  cleanups.push(() => sandbox.close());

  const port = await freePort();
  const notifyProxy = await startNotifyProxy(`http://127.0.0.1:${port}/alipay/notify`);
  cleanups.push(() => notifyProxy.close());
  // The app gateway (应用网关) is /alipay/notify too, as the README's production section says: user unsigns go there.
  sandbox.registerApp({
    appId,
    publicKey: appKeys.publicKey,
    name: "paysign reliability merchant",
    appGatewayUrl: notifyProxy.url,
  });
  const gateway = options.gateway ? await options.gateway(sandbox.gatewayUrl) : undefined;
  if (gateway) cleanups.push(() => gateway.close());

  const adminKey = `reliability-admin-${randomBytes(12).toString("hex")}`;
  const sessionSecret = randomBytes(32).toString("hex");
  rememberSecret("app private key", appKeys.privateKey);
  rememberSecret("sandbox Alipay private key", sandbox.alipayKeys.privateKey);
  rememberSecret("admin key", adminKey);
  rememberSecret("session secret", sessionSecret);

  const api = await startApi({
    port,
    logFile: path.join(logDir, `${options.name}.api.log`),
    env: {
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: cluster.url,
      DATABASE_POOL_SIZE: "10",
      LOG_LEVEL: "info",
      ADMIN_API_KEY: adminKey,
      SESSION_SECRET: sessionSecret,
      ALIPAY_APP_ID: appId,
      ALIPAY_PRIVATE_KEY: appKeys.privateKey,
      ALIPAY_PUBLIC_KEY: sandbox.alipayPublicKey,
      ALIPAY_GATEWAY: gateway?.url ?? sandbox.gatewayUrl,
      ALIPAY_NOTIFY_URL: notifyProxy.url,
      ALIPAY_TIMEOUT_MS: "1000",
      SANDBOX_URL: sandbox.url,
      RATE_LIMIT_PER_MINUTE: "1000000",
      MAX_PENDING_AGREEMENTS_PER_CUSTOMER: "1000000",
      // Scenarios send many wrong admin keys from one address on purpose: no lockout here.
      ADMIN_AUTH_FAILURE_LIMIT: "1000000",
      // Confirmation follow-ups stay out of the way unless a scenario wants them.
      FOLLOW_UP_SCHEDULE: "1h",
      FOLLOW_UP_INTERVAL_SECONDS: "60",
      SCHEDULER_INTERVAL_SECONDS: "1",
      JOBS_POLLING_INTERVAL_SECONDS: "0.5",
      ...options.env,
    },
  });
  cleanups.push(() => api.stop());
  const db = createDatabase({ url: cluster.url, poolSize: 3, logger: console });
  cleanups.push(() => db.close());

  const stack: Stack = {
    name: options.name,
    cluster,
    sandbox,
    control: createSandboxControl(sandbox.url, { timeoutMs: 20_000 }),
    api,
    notifyProxy,
    db,
    adminKey,
    rememberSecret,
    secrets,
    admin: (route, body, method) =>
      http(`${api.url}${route}`, {
        headers: { "x-admin-key": adminKey },
        ...(body === undefined ? {} : { body }),
        ...(method ? { method } : {}),
      }),
    async close() {
      await closeAll();
      await writeFile(
        path.join(logDir, `${options.name}.secrets.json`),
        JSON.stringify([...secrets].map(([value, label]) => ({ label, value }))),
      );
    },
  };
  return stack;
}

export type Customer = {
  userId: string;
  logonId: string;
  token: string;
  as(route: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
};

/** A buyer in the sandbox (with a full logon id, personal data) and a session for them in the API. */
export async function signIn(stack: Stack, balance = "1000.00"): Promise<Customer> {
  const logonId = `rel.${randomBytes(5).toString("hex")}@example.com`;
  const user = await stack.control.createUser({ balance, logonId });
  const userId = user.body.userId;
  const code = await stack.control.createAuthCode(userId);
  stack.rememberSecret("full logon id", logonId);
  stack.rememberSecret("auth code", code.body.authCode);
  const session = await http(`${stack.api.url}/api/v1/sessions`, { body: { authCode: code.body.authCode } });
  if (session.status !== 201) throw new Error(`sign-in failed: ${session.status} ${session.text}`);
  const token = session.body.token as string;
  stack.rememberSecret("session token", token);
  return {
    userId,
    logonId,
    token,
    as: (route, body, headers = {}) =>
      http(`${stack.api.url}${route}`, {
        headers: { authorization: `Bearer ${token}`, ...headers },
        ...(body === undefined ? {} : { body }),
      }),
  };
}

export async function createPlan(stack: Stack, plan: Json): Promise<string> {
  const answer = await stack.admin("/admin/v1/plans", {
    name: "Reliability plan",
    productCode: "GENERAL_WITHHOLDING",
    signScene: "INDUSTRY|DIGITAL_MEDIA",
    periodType: "DAY",
    period: 7,
    singleAmount: "5.00",
    ...plan,
  });
  if (answer.status !== 201) throw new Error(`plan refused: ${answer.text}`);
  return answer.body.id as string;
}

export type Requested = {
  agreementId: string;
  externalAgreementNo: string;
  signStr: string;
  customer: Customer;
};

export type Signed = Requested & { agreementNo: string; result: string };

/** A customer asks the API for an agreement: a PENDING agreement and its signStr. */
export async function requestAgreement(
  stack: Stack,
  options: { planId: string; customer?: Customer },
): Promise<Requested> {
  const customer = options.customer ?? (await signIn(stack));
  const created = await customer.as(
    "/api/v1/agreements",
    { planId: options.planId },
    { "idempotency-key": randomBytes(8).toString("hex") },
  );
  if (created.status !== 201) throw new Error(`agreement refused: ${created.status} ${created.text}`);
  const agreement = created.body.agreement as Json;
  const signStr = created.body.signStr as string;
  stack.rememberSecret("signStr", signStr);
  stack.rememberSecret("signStr (decoded)", decodeURIComponent(signStr));
  stack.rememberSecret("signStr's sign", new URLSearchParams(decodeURIComponent(signStr)).get("sign"));
  return {
    agreementId: agreement.id as string,
    externalAgreementNo: agreement.externalAgreementNo as string,
    signStr,
    customer,
  };
}

/** The customer confirms in the sandbox's signing center: Alipay creates the agreement and sends dut_user_sign. */
export async function confirmInSandbox(stack: Stack, requested: Requested): Promise<Signed> {
  const signed = await stack.control.signAtCenter({
    signStr: requested.signStr,
    userId: requested.customer.userId,
    decision: "confirm",
  });
  if (signed.body.resultStatus !== "7000") throw new Error(`signing failed: ${signed.text}`);
  const result = signed.body.result;
  const parsed = JSON.parse(result) as { sign: string; alipay_user_agreement_page_sign_response: Json };
  stack.rememberSecret("paySignCenter result's sign", parsed.sign);
  const agreementNo = parsed.alipay_user_agreement_page_sign_response.agreement_no as string;
  return { ...requested, agreementNo, result };
}

/** Asks, confirms and, with `report`, reports the verified 7000 result to the API (the agreement is then ACTIVE). */
export async function signAgreement(
  stack: Stack,
  options: { planId: string; report?: boolean; customer?: Customer },
): Promise<Signed> {
  const signed = await confirmInSandbox(stack, await requestAgreement(stack, options));
  if (options.report) {
    const reported = await signed.customer.as(`/api/v1/agreements/${signed.agreementId}/sign-result`, {
      resultStatus: "7000",
      result: signed.result,
    });
    if (reported.status !== 200) throw new Error(`sign-result refused: ${reported.text}`);
  }
  return signed;
}

/** The user stops the agreement in the Alipay app: the sandbox sends dut_user_unsign. */
export async function unsignInSandbox(stack: Stack, agreementNo: string): Promise<void> {
  const answer = await stack.control.unsignAgreement(agreementNo);
  if (answer.status !== 200) throw new Error(`sandbox unsign failed: ${answer.text}`);
}

export async function sandboxNotifications(stack: Stack): Promise<SandboxNotificationView[]> {
  const list = (await stack.control.notifications()).body;
  for (const notification of list) stack.rememberSecret("notification sign", notification.params.sign);
  return list;
}

/** Attempts Alipay counts against its 8 (not the sandbox's forged or duplicate extras). */
export const genuineAttempts = (notification: SandboxNotificationView) =>
  notification.attempts.filter((attempt) => attempt.note === undefined || attempt.note === "dropped").length;

export async function sandboxTrades(stack: Stack): Promise<SandboxTradeView[]> {
  return (await stack.control.trades()).body;
}

/** Sets the sandbox's simulated time; the API's clock follows it. */
export async function setClock(stack: Stack, at: string): Promise<void> {
  const answer = await stack.control.setClock(at);
  if (answer.status !== 200) throw new Error(`clock move failed: ${answer.text}`);
}
