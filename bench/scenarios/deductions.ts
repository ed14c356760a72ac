import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { defined } from "@paysign/test-kit";
import { createDatabase, type Database } from "@paysign/server";
import { AlipaySdk } from "alipay-sdk";
import { childEnvironment, deductionLanes } from "../env.ts";
import { admin, asCustomer, expectStatus, mapConcurrent, monthlyPlanId, sandbox, signIn, type Json } from "../api.ts";
import { apiPeakRss } from "../memory.ts";
import { monotonicMicros } from "../profile.ts";
import { ratiosOf, round, unavailable, type ScenarioResult } from "../results.ts";
import { onFreshStack, type ScenarioOptions } from "../scenario.ts";
import { PRODUCTION_NODE_OPTIONS, repoRoot, startBenchStack, type BenchStack } from "../stack.ts";
import { sdkKeysOf } from "./signstr.ts";

/** The sandbox allows 10 live agreements per buyer and app. */
/** One live agreement per customer and plan (a second is refused 409), so each agreement has its own buyer. */
const AGREEMENTS_PER_BUYER = 1;

type ChargeRow = { id: string; agreementId: string; dueDate: string; status: string; outTradeNo: string | null };

/** ACTIVE agreements signed for real: POST /api/v1/agreements, the sandbox signing center, the verified 7000. */
async function activeAgreements(stack: BenchStack, count: number): Promise<string[]> {
  const buyers = await mapConcurrent(
    Array.from({ length: Math.ceil(count / AGREEMENTS_PER_BUYER) }, () => 0),
    4,
    () => signIn(stack),
  );
  return mapConcurrent(
    Array.from({ length: count }, (_, index) =>
      defined(buyers[Math.floor(index / AGREEMENTS_PER_BUYER)], `buyer ${index}`),
    ),
    8,
    async (buyer) => {
      const created = await expectStatus(
        asCustomer(stack, buyer, { path: "/api/v1/agreements", body: { planId: monthlyPlanId } }),
        201,
        "POST /api/v1/agreements",
      );
      const id = (created.body.agreement as Json).id as string;
      const signed = await sandbox(stack).signAtCenter({
        signStr: created.body.signStr as string,
        userId: buyer.userId,
        decision: "confirm",
      });
      const reported = await expectStatus(
        asCustomer(stack, buyer, {
          path: `/api/v1/agreements/${id}/sign-result`,
          body: { resultStatus: signed.body.resultStatus, result: signed.body.result },
        }),
        200,
        "POST /api/v1/agreements/:id/sign-result",
      );
      if ((reported.body.agreement as Json).status !== "ACTIVE") throw new Error(`not ACTIVE: ${reported.text}`);
      return id;
    },
  );
}

async function listCharges(stack: BenchStack): Promise<ChargeRow[]> {
  const rows: ChargeRow[] = [];
  let cursor: string | null = null;
  do {
    const page = await expectStatus(
      admin(stack, `/admin/v1/charges?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`),
      200,
      "GET /admin/v1/charges",
    );
    rows.push(...(page.body.items as ChargeRow[]));
    cursor = page.body.nextCursor as string | null;
  } while (cursor);
  return rows;
}

/** Worker processes of the `workers_4` run, beside an API started with JOBS_IN_API=false. */
const WORKERS = 4;

/**
 * One `pnpm --filter @paysign/server worker` process from the sources (`worker:dev`, as the stack runs the API): the
 * stack's database, the sandbox app's keys and gateway, trade notifications to the API; resolves once it works.
 */
async function startWorker(stack: BenchStack): Promise<ChildProcess> {
  const keys = await sdkKeysOf(stack);
  const child = spawn(
    process.execPath,
    [
      ...PRODUCTION_NODE_OPTIONS,
      "--conditions=@paysign/source",
      "--import",
      "tsx",
      path.join("apps", "server", "src", "worker.ts"),
    ],
    {
      cwd: repoRoot,
      env: childEnvironment({
        NODE_ENV: "development",
        LOG_LEVEL: "info",
        DATABASE_URL: stack.databaseUrl,
        SANDBOX_URL: stack.sandboxUrl,
        ALIPAY_APP_ID: keys.appId,
        ALIPAY_PRIVATE_KEY: keys.appPrivateKey,
        ALIPAY_PUBLIC_KEY: keys.alipayPublicKey,
        ALIPAY_GATEWAY: keys.gateway,
        ALIPAY_NOTIFY_URL: `${stack.apiUrl}/alipay/notify`,
        FOLLOW_UP_SCHEDULE: "24h",
        SCHEDULER_INTERVAL_SECONDS: "86400",
        JOBS_POLLING_INTERVAL_SECONDS: "0.5",
      }),
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      seen = (seen + chunk.toString("utf8")).slice(-4096);
      if (seen.includes('"msg":"worker running"')) resolve();
    });
    child.once("exit", (code) => reject(new Error(`a worker exited with ${code} before it ran`)));
  });
  child.stdout?.resume();
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

/**
 * `workers_4`: the same number of due agreements on a fresh stack whose API runs no jobs (JOBS_IN_API=false), charged
 * by 4 worker processes from one POST /admin/v1/scheduler/run (jobs enqueued, not waited for): charges/s from that
 * request until every charge is settled, and the same checks.
 */
async function runWithWorkers(count: number): Promise<{ chargesPerSecond: number; checks: ChargeChecks }> {
  const stack = await startBenchStack({ env: { JOBS_IN_API: "false" } });
  const db = createDatabase({ url: stack.databaseUrl, poolSize: 1, logger: console });
  const workers: ChildProcess[] = [];
  try {
    // Started before any agreement is due: each asks for one tick at start-up, which must find nothing yet.
    for (let index = 0; index < WORKERS; index++) workers.push(await startWorker(stack));
    const ids = await activeAgreements(stack, count);
    const started = performance.now();
    const run = await expectStatus(admin(stack, "/admin/v1/scheduler/run", {}), 200, "POST /admin/v1/scheduler/run");
    if (run.body.enqueued !== count) throw new Error(`the tick enqueued ${String(run.body.enqueued)}, not ${count}`);
    // Watched in the database (one count every 50 ms), not through the API the workers' notifications go to.
    const deadline = started + 120_000;
    while ((await settledCharges(db)) < count) {
      if (performance.now() > deadline) throw new Error("the workers did not settle every charge within 120 s");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const checks = await chargeChecks(stack, ids.length);
    return { chargesPerSecond: checks.succeeded / seconds, checks };
  } finally {
    await db.close();
    await Promise.all(workers.map(stopWorker));
    await stack.stop();
  }
}

type ChargeChecks = {
  succeeded: number;
  everyDueAgreementChargedOnce: boolean;
  noPeriodChargedTwice: boolean;
};

/** Charges whose attempt has an answer: SUCCEEDED, FAILED or PAST_DUE. */
async function settledCharges(db: Database): Promise<number> {
  const { rows } = await db.sql.query<{ settled: number }>(
    `SELECT count(*)::int AS settled FROM "Charge" WHERE status IN ('SUCCEEDED', 'FAILED', 'PAST_DUE')`,
  );
  return rows[0]?.settled ?? 0;
}

/** Successful charges, and whether every agreement's period was charged once with one paid trade. */
async function chargeChecks(stack: BenchStack, agreements: number): Promise<ChargeChecks> {
  const trades = await sandboxTrades(stack);
  const charges = await listCharges(stack);
  const paid = trades.filter((trade) => trade.trade_status === "TRADE_SUCCESS");
  const periods = new Set(charges.map((charge) => `${charge.agreementId}|${charge.dueDate}`));
  const tradesPerAgreement = new Map<string, number>();
  for (const trade of paid)
    tradesPerAgreement.set(trade.agreement_no, (tradesPerAgreement.get(trade.agreement_no) ?? 0) + 1);
  const succeeded = charges.filter((charge) => charge.status === "SUCCEEDED").length;
  return {
    succeeded,
    everyDueAgreementChargedOnce: succeeded === agreements && periods.size === agreements && paid.length === succeeded,
    noPeriodChargedTwice:
      periods.size === charges.length && [...tradesPerAgreement.values()].every((count) => count === 1),
  };
}

const sandboxTrades = async (stack: BenchStack) => (await sandbox(stack).trades()).body;

/**
 * The gateway peer's number of calls: 120, what it made in every run before the warm-up grew from 20 charges to 100
 * (it took up to 200 of the paid trades, and 120 were paid), so it makes as many calls as in those runs.
 */
const GATEWAY_PEER_CALLS = 120;

/** The gateway alone: sequential alipay.trade.query calls through alipay-sdk (sign, HTTP, verify), per second. */
async function sequentialGatewayCalls(stack: BenchStack, outTradeNos: string[]): Promise<number> {
  const keys = await sdkKeysOf(stack);
  const sdk = new AlipaySdk({
    appId: keys.appId,
    privateKey: keys.appPrivateKey,
    alipayPublicKey: keys.alipayPublicKey,
    gateway: keys.gateway,
    camelcase: false,
  });
  const started = performance.now();
  for (const outTradeNo of outTradeNos) {
    await sdk.exec("alipay.trade.query", { bizContent: { out_trade_no: outTradeNo } }, { validateSign: true });
  }
  return outTradeNos.length / ((performance.now() - started) / 1000);
}

/**
 * `deductions`: N ACTIVE agreements due today, charged against the sandbox by one POST /admin/v1/scheduler/run
 * {wait:true} after a warm-up of more charged by POST /admin/v1/agreements/:id/charges; charges/s of the run. A second
 * run must charge nothing. Peer: sequential gateway calls (GATEWAY_PEER_CALLS). Then `workers_4` (details and checks):
 * the same count charged by 4 worker processes on a fresh stack.
 */
export async function runDeductions(options: ScenarioOptions): Promise<ScenarioResult> {
  const result = await chargeInOneProcess(options);
  if (result.status !== "ok") return result;
  // After the first stack is gone, so the two runs never share the machine.
  const workers = await runWithWorkers(options.sizes.deductionAgreements);
  result.checks.workers_4_every_due_agreement_charged_once = workers.checks.everyDueAgreementChargedOnce;
  result.checks.workers_4_no_period_charged_twice = workers.checks.noPeriodChargedTwice;
  result.details.workers_4_charges_per_s = round(workers.chargesPerSecond);
  result.details.workers_4_succeeded = workers.checks.succeeded;
  return result;
}

function chargeInOneProcess(options: ScenarioOptions): Promise<ScenarioResult> {
  const count = options.sizes.deductionAgreements;
  return onFreshStack("deductions", options, async ({ stack, markLoad }) => {
    const probe = await admin(stack, "/admin/v1/charges?limit=1");
    if (probe.status === 404) return unavailable("GET /admin/v1/charges answers 404 (not built yet)", "charges/s");

    const ids = await activeAgreements(stack, count + options.sizes.deductionWarmUp);
    // A warm-up, as the other load scenarios have: the engine's code and the pool connections' prepared statements
    // are warm when the measured run starts. These periods are charged; the scheduler run then finds the rest due.
    // As many at once as the run's lanes, so every pool connection the run uses has run each charge statement past
    // PostgreSQL's five custom plans per statement and connection (BENCHMARKS.md, issue #20 ninth pass).
    await mapConcurrent(ids.slice(0, options.sizes.deductionWarmUp), deductionLanes(), (id) =>
      expectStatus(
        admin(stack, `/admin/v1/agreements/${id}/charges`, {}),
        200,
        "POST /admin/v1/agreements/:id/charges",
      ),
    );
    const from = monotonicMicros();
    const started = performance.now();
    const run = await admin(stack, "/admin/v1/scheduler/run", { wait: true });
    const seconds = (performance.now() - started) / 1000;
    markLoad({ from, to: monotonicMicros() });
    if (run.status === 404) return unavailable("POST /admin/v1/scheduler/run answers 404 (not built yet)", "charges/s");
    if (run.status !== 200) throw new Error(`scheduler run answered ${run.status}: ${run.text.slice(0, 300)}`);
    const results = run.body.results as Array<{ status: string }>;
    if (results.length !== count) throw new Error(`the measured run charged ${results.length} periods, not ${count}`);
    const succeeded = results.filter((result) => result.status === "SUCCEEDED").length;
    const firstRun: Record<string, number> = {};
    for (const result of results)
      firstRun[`first_run_${result.status}`] = (firstRun[`first_run_${result.status}`] ?? 0) + 1;

    const tradesAfterFirst = await sandboxTrades(stack);
    const again = await expectStatus(
      admin(stack, "/admin/v1/scheduler/run", { wait: true }),
      200,
      "POST /admin/v1/scheduler/run",
    );
    const trades = await sandboxTrades(stack);
    const charges = await listCharges(stack);
    const paid = trades.filter((trade) => trade.trade_status === "TRADE_SUCCESS");
    const periods = new Set(charges.map((charge) => `${charge.agreementId}|${charge.dueDate}`));
    const tradesPerAgreement = new Map<string, number>();
    for (const trade of paid)
      tradesPerAgreement.set(trade.agreement_no, (tradesPerAgreement.get(trade.agreement_no) ?? 0) + 1);
    const succeededCharges = charges.filter((charge) => charge.status === "SUCCEEDED");

    const value = succeeded / seconds;
    const gateway = await sequentialGatewayCalls(
      stack,
      paid.slice(0, GATEWAY_PEER_CALLS).map((trade) => trade.out_trade_no),
    );
    const memory = await apiPeakRss(stack);
    const peers = { gateway_sequential: round(gateway) };
    return {
      status: "ok",
      value: round(value),
      unit: "charges/s",
      peers,
      ratios: ratiosOf("deductions", value, peers),
      checks: {
        every_due_agreement_charged_once: succeededCharges.length === ids.length && periods.size === ids.length,
        sandbox_trades_equal_successful_charges: paid.length === succeededCharges.length,
        no_period_charged_twice:
          periods.size === charges.length && [...tradesPerAgreement.values()].every((trades) => trades === 1),
        second_run_makes_no_new_trade: trades.length === tradesAfterFirst.length,
      },
      details: {
        agreements: ids.length,
        warm_up_charges: options.sizes.deductionWarmUp,
        succeeded,
        ...firstRun,
        seconds: round(seconds),
        trades: paid.length,
        second_run_enqueued: again.body.enqueued as number,
        ...memory.details,
      },
    };
  });
}
