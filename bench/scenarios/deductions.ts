import { defined } from "@paysign/test-kit";
import { AlipaySdk } from "alipay-sdk";
import { admin, asCustomer, expectStatus, mapConcurrent, monthlyPlanId, sandbox, signIn, type Json } from "../api.ts";
import { apiPeakRss } from "../memory.ts";
import { monotonicMicros } from "../profile.ts";
import { ratiosOf, round, unavailable, type ScenarioResult } from "../results.ts";
import { onFreshStack, type ScenarioOptions } from "../scenario.ts";
import type { BenchStack } from "../stack.ts";
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

const sandboxTrades = async (stack: BenchStack) => (await sandbox(stack).trades()).body;

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
 * {wait:true}; charges/s. A second run must charge nothing. Peer: the same number of sequential gateway calls.
 */
export function runDeductions(options: ScenarioOptions): Promise<ScenarioResult> {
  const count = options.sizes.deductionAgreements;
  return onFreshStack("deductions", options, async ({ stack, markLoad }) => {
    const probe = await admin(stack, "/admin/v1/charges?limit=1");
    if (probe.status === 404) return unavailable("GET /admin/v1/charges answers 404 (not built yet)", "charges/s");

    const ids = await activeAgreements(stack, count);
    const from = monotonicMicros();
    const started = performance.now();
    const run = await admin(stack, "/admin/v1/scheduler/run", { wait: true });
    const seconds = (performance.now() - started) / 1000;
    markLoad({ from, to: monotonicMicros() });
    if (run.status === 404) return unavailable("POST /admin/v1/scheduler/run answers 404 (not built yet)", "charges/s");
    if (run.status !== 200) throw new Error(`scheduler run answered ${run.status}: ${run.text.slice(0, 300)}`);
    const results = run.body.results as Array<{ status: string }>;
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
      paid.slice(0, Math.min(paid.length, 200)).map((trade) => trade.out_trade_no),
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
        ...memory.checks,
      },
      details: {
        agreements: ids.length,
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
