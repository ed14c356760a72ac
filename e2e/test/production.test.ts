import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync } from "node:fs";
import { createServer as createHttpsServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSandboxControl, type SandboxControl } from "@paysign/alipay-sandbox";
import { freePort, http, type Json } from "@paysign/test-kit";
import { startSystemPostgres, systemPostgresMissing, type SystemPostgres } from "./support/system-postgres.ts";

// The production artifact as an operator runs it: `pnpm build`, the production install of the server
// (`pnpm --filter @paysign/server deploy --prod --legacy`), then `node dist/migrate.js`, `node dist/main.js` and a
// separate `node dist/worker.js` in NODE_ENV=production on the machine's PostgreSQL, talking to the sandbox as their
// Alipay gateway. Production refuses http:// gateways and notify URLs, so the sandbox and the API's notify route are
// reached through an https proxy with a self-signed certificate the processes trust via NODE_EXTRA_CA_CERTS (a
// standard Node variable: nothing in production's checks is loosened for the test).

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, "../..");
const appId = "2021000000000088";

function missingTool(): string | undefined {
  const postgres = systemPostgresMissing();
  if (postgres) return postgres;
  return spawnSync("sh", ["-c", "command -v openssl"], { stdio: "ignore" }).status === 0
    ? undefined
    : "no openssl for the test certificate";
}
const skipReason = missingTool();
if (skipReason) console.info(`production install test skipped: ${skipReason}`);

type Managed = { name: string; child: ChildProcess; output: string[]; exited: Promise<number | null> };

function startProcess(input: { name: string; args: string[]; cwd: string; env: Record<string, string> }): Managed {
  const child = spawn(process.execPath, input.args, {
    cwd: input.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...input.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { name: input.name, child, output, exited };
}

async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() - started > 45_000) throw new Error(`${what}: not within 45 s (${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const errorLines = (managed: Managed) => managed.output.filter((line) => /"level":(50|60)/.test(line));

/** An https front for the sandbox (gateway, control) and the API's notify route; it can hold trade.pay back. */
function startHttpsProxy(input: { key: string; cert: string; sandboxUrl: string; apiUrl: string }) {
  const state = { payDelayMs: 0, paySeen: 0 };
  const server = createHttpsServer({ key: input.key, cert: input.cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = request.url ?? "/";
      const body = Buffer.concat(chunks);
      const target = url.startsWith("/alipay/notify") ? input.apiUrl : input.sandboxUrl;
      const isPay = url.includes("method=alipay.trade.pay") || body.toString().includes("method=alipay.trade.pay");
      if (isPay) state.paySeen++;
      const delay = isPay ? state.payDelayMs : 0;
      setTimeout(() => {
        fetch(`${target}${url}`, {
          method: request.method ?? "GET",
          headers: { "content-type": request.headers["content-type"] ?? "application/octet-stream" },
          body: request.method === "GET" || request.method === "HEAD" ? undefined : body,
        })
          .then(async (answer) => {
            const text = Buffer.from(await answer.arrayBuffer());
            response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
            response.end(text);
          })
          .catch(() => response.writeHead(502).end());
      }, delay);
    });
  });
  return { server, state };
}

describe.skipIf(skipReason !== undefined)("the production install", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "paysign-prod-"));
  const deployDir = path.join(folder, "server");
  const keysDir = path.join(folder, "keys");
  const adminKey = randomBytes(32).toString("hex");
  const processes: Managed[] = [];
  let postgres: SystemPostgres | undefined;
  let proxy: Server | undefined;
  let proxyState = { payDelayMs: 0, paySeen: 0 };
  let sandbox: SandboxControl;
  let api: Managed;
  let worker: Managed;
  let apiUrl = "";
  let workerMetricsUrl = "";

  const admin = (pathname: string, body?: unknown) =>
    http(`${apiUrl}${pathname}`, { headers: { "x-admin-key": adminKey }, ...(body === undefined ? {} : { body }) });
  const scrape = async (url: string) => (await fetch(url, { headers: { authorization: `Bearer ${adminKey}` } })).text();

  beforeAll(async () => {
    chmodSync(folder, 0o755);
    await run("pnpm", ["--filter", "@paysign/console", "build"], { cwd: repoRoot });
    await run("pnpm", ["--filter", "@paysign/contracts", "--filter", "@paysign/server", "build"], { cwd: repoRoot });
    await run("pnpm", ["--filter", "@paysign/server", "deploy", "--prod", "--legacy", deployDir], { cwd: repoRoot });
    const keyFile = path.join(folder, "tls-key.pem");
    const certFile = path.join(folder, "tls-cert.pem");
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"],
        ...["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", keyFile, "-out", certFile],
      ],
      { stdio: "pipe" },
    );
    postgres = await startSystemPostgres();

    const sandboxPort = await freePort();
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    const sandboxProcess = startProcess({
      name: "sandbox",
      args: ["--import", "tsx", "--conditions=@paysign/source", "packages/alipay-sandbox/src/main.ts"],
      cwd: repoRoot,
      env: {
        SANDBOX_PORT: String(sandboxPort),
        SANDBOX_KEYS_DIR: keysDir,
        SANDBOX_APP_ID: appId,
        SANDBOX_STATE_FILE: path.join(folder, "sandbox-state.json"),
        NODE_EXTRA_CA_CERTS: certFile,
      },
    });
    processes.push(sandboxProcess);
    sandbox = createSandboxControl(sandboxUrl);
    await waitFor(
      "the sandbox",
      () => sandbox.clock(),
      (answer) => answer.status === 200,
    );

    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    const proxyPort = await freePort();
    const started = startHttpsProxy({
      key: readFileSync(keyFile, "utf8"),
      cert: readFileSync(certFile, "utf8"),
      sandboxUrl,
      apiUrl,
    });
    proxy = started.server;
    proxyState = started.state;
    await new Promise<void>((resolve) => started.server.listen(proxyPort, "127.0.0.1", resolve));
    const httpsUrl = `https://127.0.0.1:${proxyPort}`;

    const migrated = await run(process.execPath, ["dist/migrate.js"], {
      cwd: deployDir,
      env: { PATH: process.env.PATH, DATABASE_URL: postgres.url, NODE_ENV: "production" },
    });
    expect(migrated.stdout).toContain('"msg":"database migrated"');

    const env = {
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      DATABASE_URL: postgres.url,
      ADMIN_API_KEY: adminKey,
      SESSION_SECRET: randomBytes(32).toString("hex"),
      ALIPAY_APP_ID: appId,
      ALIPAY_PRIVATE_KEY: readFileSync(path.join(keysDir, "app-private.pem"), "utf8"),
      ALIPAY_PUBLIC_KEY: readFileSync(path.join(keysDir, "sandbox-alipay-public.pem"), "utf8"),
      ALIPAY_GATEWAY: `${httpsUrl}/gateway.do`,
      ALIPAY_NOTIFY_URL: `${httpsUrl}/alipay/notify`,
      NODE_EXTRA_CA_CERTS: certFile,
      JOBS_IN_API: "false",
      SCHEDULER_INTERVAL_SECONDS: "1",
      FOLLOW_UP_INTERVAL_SECONDS: "1",
      JOBS_POLLING_INTERVAL_SECONDS: "0.5",
      SHUTDOWN_GRACE_SECONDS: "15",
      RATE_LIMIT_PER_MINUTE: "1000000",
    };
    api = startProcess({ name: "api", args: ["dist/main.js"], cwd: deployDir, env: { ...env, PORT: String(apiPort) } });
    processes.push(api);
    const metricsPort = await freePort();
    workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    worker = startProcess({
      name: "worker",
      args: ["dist/worker.js"],
      cwd: deployDir,
      env: { ...env, METRICS_PORT: String(metricsPort) },
    });
    processes.push(worker);
    await waitFor(
      "the API",
      () => fetch(`${apiUrl}/readyz`),
      (answer) => answer.ok,
    );
    await waitFor(
      "the worker",
      () => Promise.resolve(worker.output.join("\n")),
      (text) => text.includes('"worker running"'),
    );
  }, 300_000);

  afterAll(async () => {
    for (const managed of processes) if (managed.child.exitCode === null) managed.child.kill("SIGKILL");
    await Promise.all(processes.map((managed) => managed.exited));
    proxy?.close();
    postgres?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  test("the install holds the compiled server and no development dependency", () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, "apps/server/package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    const store = readdirSync(path.join(deployDir, "node_modules/.pnpm"));
    for (const name of Object.keys(manifest.devDependencies)) {
      expect(existsSync(path.join(deployDir, "node_modules", name)), name).toBe(false);
    }
    for (const tool of ["@paysign+alipay-sandbox", "@paysign+test-kit", "vitest@", "tsx@", "supertest@"])
      expect(
        store.filter((entry) => entry.startsWith(tool)),
        tool,
      ).toEqual([]);
    expect(existsSync(path.join(deployDir, "dist/main.js"))).toBe(true);
    expect(existsSync(path.join(deployDir, "dist/migrations"))).toBe(true);
    expect(existsSync(path.join(deployDir, "src"))).toBe(false);
    expect(existsSync(path.join(deployDir, "dist/console/index.html"))).toBe(true);
  });

  test("the merchant console is served at /console by the same process, its own scripts only", async () => {
    const page = await fetch(`${apiUrl}/console/agreements`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self';");
    const html = await page.text();
    const script = /<script type="module" crossorigin src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${apiUrl}${script ?? ""}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
  });

  const signAndWaitActive = async (planId: string) => {
    const user = await sandbox.createUser({ balance: "100.00" });
    const code = await sandbox.createAuthCode(user.body.userId);
    const session = await http(`${apiUrl}/api/v1/sessions`, { body: { authCode: code.body.authCode } });
    expect(session.status, session.text).toBe(201);
    const created = await http(`${apiUrl}/api/v1/agreements`, {
      headers: { authorization: `Bearer ${session.body.token as string}` },
      body: { planId },
    });
    expect(created.status, created.text).toBe(201);
    const agreementId = (created.body.agreement as Json).id as string;
    const signed = await sandbox.signAtCenter({
      signStr: created.body.signStr as string,
      userId: user.body.userId,
      decision: "confirm",
    });
    expect(signed.body.resultStatus).toBe("7000");
    // Only the notification (through the https notify URL) activates it: the client's result is never reported.
    await waitFor(
      "the agreement ACTIVE",
      () => admin(`/admin/v1/agreements/${agreementId}`),
      (answer) => answer.body.status === "ACTIVE",
    );
    return agreementId;
  };
  const chargeOf = async (agreementId: string) => {
    const answer = await admin(`/admin/v1/agreements/${agreementId}`);
    return ((answer.body.charges as Json[] | undefined) ?? [])[0];
  };

  test("sign → notification → charge, counted in /metrics; SIGTERM mid-charge exits 0 with the charge settled", async () => {
    const plan = await admin("/admin/v1/plans", {
      name: "Monthly",
      productCode: "GENERAL_WITHHOLDING",
      signScene: "INDUSTRY|DIGITAL_MEDIA",
      periodType: "MONTH",
      period: 1,
      singleAmount: "19.90",
    });
    expect(plan.status, plan.text).toBe(201);
    const planId = plan.body.id as string;

    const first = await signAndWaitActive(planId);
    const charged = await waitFor(
      "the first charge",
      () => chargeOf(first),
      (charge) => charge?.status === "SUCCEEDED",
    );
    expect(charged?.amount).toBe("19.90");

    const apiMetrics = await scrape(`${apiUrl}/metrics`);
    expect(apiMetrics).toContain('paysign_charges{status="SUCCEEDED"} 1');
    expect(apiMetrics).toMatch(/paysign_notifications_total\{type="dut_user_sign",outcome="APPLIED"\} 1/);
    const workerMetrics = await scrape(workerMetricsUrl);
    expect(workerMetrics).toContain('paysign_charge_attempts_total{outcome="success",sub_code_class="none"} 1');
    expect(workerMetrics).toMatch(
      /paysign_alipay_call_duration_seconds_count\{method="alipay.trade.pay",result="success"\} 1/,
    );

    // The next charge's trade.pay is held 3 s at the gateway; the worker is told to stop while it is in flight.
    proxyState.payDelayMs = 3_000;
    const paysBefore = proxyState.paySeen;
    const second = await signAndWaitActive(planId);
    await waitFor(
      "trade.pay in flight",
      () => Promise.resolve(proxyState.paySeen),
      (seen) => seen > paysBefore,
    );
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    const settled = await chargeOf(second);
    expect(settled?.status).toBe("SUCCEEDED");
    expect(errorLines(worker)).toEqual([]);

    api.child.kill("SIGTERM");
    expect(await api.exited).toBe(0);
    expect(errorLines(api)).toEqual([]);
  }, 120_000);
});
