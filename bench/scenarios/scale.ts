import type { Database } from "@paysign/server";
import { findDuePeriods, findUnsettledCharges } from "../../apps/server/src/repositories/deductions-due.ts";
import type { Tx } from "../../apps/server/src/repositories/transaction.ts";
import { admin, expectStatus, monthlyPlanId } from "../api.ts";
import { monotonicMicros } from "../profile.ts";
import { ratiosOf, round, type ScenarioResult } from "../results.ts";
import { onFreshStack, type ScenarioOptions } from "../scenario.ts";
import type { BenchStack } from "../stack.ts";

/** The scheduler's batch (deductions/scheduler.ts TICK_LIMIT): a tick enqueues at most this many periods. */
const TICK_BATCH = 1_000;
/** Outside DEDUCTION_LEAD_DAYS (3 by default): a D this far ahead is not due yet. */
const NOT_DUE_FROM_DAYS = 4;
/** A D nobody else has: the due agreements moved out of a fixed-due tick park here, and come back after. */
const PARKED_DAYS = 400;

// Seeded rows have ids made from their number n (sequential, so sizes grow by appending): one customer each, the
// demo monthly plan, createdAt 10 s apart; n % 100 decides the status, so every size has the same mix.
const idOf = (prefix: string) => `('00000000-0000-4000-${prefix}-' || lpad(to_hex(n), 12, '0'))::uuid`;

const seedCustomersSql = `
INSERT INTO "Customer" ("id", "alipayUserId", "createdAt", "updatedAt")
SELECT ${idOf("9000")}, '2088' || lpad(n::text, 12, '0'), $3::timestamptz + n * interval '10 seconds', now()
FROM generate_series($1::int, $2::int) AS n`;

/**
 * 1 % ACTIVE and due today; 59 % ACTIVE with D 4–30 days ahead; 10 % PAUSED (D within the month, never due while
 * paused); 10 % UNSIGNED, 5 % EXPIRED, 5 % COMPLETED, 5 % PENDING (never signed), 2 % ABANDONED, 3 % FAILED.
 */
const seedAgreementsSql = `
INSERT INTO "Agreement" ("id", "externalAgreementNo", "customerId", "planId", "status", "agreementNo", "alipayStatus",
  "alipayUserId", "productCode", "personalProductCode", "signScene", "effectType", "periodType", "period",
  "executeTime", "singleAmount", "nextDeductDate", "paymentsCount", "paidTotal", "signTime", "validTime",
  "invalidTime", "createdAt", "updatedAt")
SELECT ${idOf("8000")}, 'SCALE' || lpad(n::text, 20, '0'), ${idOf("9000")}, p."id", s.status::"AgreementStatus",
  CASE WHEN s.signed THEN '2026' || lpad(n::text, 16, '0') END,
  CASE WHEN s.signed THEN 'NORMAL' END,
  CASE WHEN s.signed THEN '2088' || lpad(n::text, 12, '0') END,
  p."productCode", p."personalProductCode", p."signScene", p."effectType", p."periodType", p."period",
  $4::date - 60, p."singleAmount",
  CASE WHEN n % 100 = 0 THEN $4::date
       WHEN n % 100 < 60 THEN $4::date + ${NOT_DUE_FROM_DAYS} + (n / 100) % 27
       WHEN n % 100 < 70 THEN $4::date + (n / 100) % 30
       WHEN s.signed THEN $4::date - (n / 100) % 60 END,
  CASE WHEN s.signed THEN 2 ELSE 0 END, CASE WHEN s.signed THEN p."singleAmount" * 2 ELSE 0 END,
  CASE WHEN s.signed THEN $3::timestamptz END, CASE WHEN s.signed THEN $3::timestamptz END,
  CASE WHEN s.signed THEN timestamptz '2115-02-01 00:00:00+08' END,
  $3::timestamptz + n * interval '10 seconds', now()
FROM generate_series($1::int, $2::int) AS n
CROSS JOIN "Plan" AS p
CROSS JOIN LATERAL (SELECT CASE
  WHEN n % 100 < 60 THEN 'ACTIVE' WHEN n % 100 < 70 THEN 'PAUSED' WHEN n % 100 < 80 THEN 'UNSIGNED'
  WHEN n % 100 < 85 THEN 'EXPIRED' WHEN n % 100 < 90 THEN 'COMPLETED' WHEN n % 100 < 95 THEN 'PENDING'
  WHEN n % 100 < 97 THEN 'ABANDONED' ELSE 'FAILED' END AS status) AS s0
CROSS JOIN LATERAL (SELECT s0.status, s0.status NOT IN ('PENDING', 'ABANDONED', 'FAILED') AS signed) AS s
WHERE p."id" = '${monthlyPlanId}'::uuid`;

/** History: a SUCCEEDED charge (with its attempt) of the previous month for 30 % of the agreements, all ACTIVE. */
const seedChargesSql = `
INSERT INTO "Charge" ("id", "agreementId", "dueDate", "amount", "status", "tradeNo", "paidAt", "createdAt", "updatedAt")
SELECT ${idOf("a000")}, ${idOf("8000")}, $4::date - 30, 19.90, 'SUCCEEDED', '2026' || lpad(n::text, 24, '0'),
  $3::timestamptz, $3::timestamptz, now()
FROM generate_series($1::int, $2::int) AS n WHERE n % 100 < 30`;

const seedAttemptsSql = `
INSERT INTO "ChargeAttempt" ("id", "chargeId", "outTradeNo", "status", "tradeNo", "requestedAt", "settledAt")
SELECT ${idOf("b000")}, ${idOf("a000")}, 'PS_SCALE_' || n || '_1', 'SUCCEEDED', '2026' || lpad(n::text, 24, '0'),
  $3::timestamptz, $3::timestamptz
FROM generate_series($1::int, $2::int) AS n WHERE n % 100 < 30`;

const seededTables = ["Customer", "Agreement", "Charge", "ChargeAttempt"];

/**
 * Rows n = from…to of every seeded table, loaded the way bulk loads are: on one connection with the secondary indexes
 * dropped and built again after (a sort each, not a million insertions), and the foreign-key triggers off (the rows
 * reference each other by construction); then ANALYZE, as autovacuum would.
 */
async function seedRows(db: Database, values: [number, number, Date, string]): Promise<void> {
  const client = await db.sql.connect();
  try {
    const { rows: indexes } = await client.query<{ name: string; definition: string }>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
       WHERE schemaname = 'public' AND tablename = ANY($1::text[]) AND indexname NOT LIKE '%\\_pkey'`,
      [seededTables],
    );
    await client.query(`SET maintenance_work_mem = '256MB'`);
    await client.query(`SET session_replication_role = replica`);
    for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
    await client.query(seedCustomersSql, values.slice(0, 3));
    await client.query(seedAgreementsSql, values);
    await client.query(seedChargesSql, values);
    await client.query(seedAttemptsSql, values.slice(0, 3));
    for (const index of indexes) await client.query(index.definition);
    await client.query(`ANALYZE ${seededTables.map((table) => `"${table}"`).join(", ")}`);
  } finally {
    // Closed, not pooled: its session settings end with it.
    client.release(true);
  }
}

/** The admin list's first page as Prisma asks for it (repositories/agreement-reads.ts, no filter). */
const listFirstPageSql = `SELECT * FROM "Agreement" ORDER BY "createdAt" DESC, "id" DESC LIMIT 51`;

type PlanNode = {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Total Time"?: number;
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
  Plans?: PlanNode[];
};
type PlanSummary = { text: string; ms: number; blocks: number; seqScans: string[] };

/** The scans of a plan, one `Node on Relation (index)` each, and the sequential scans among them. */
function summarizePlan(explained: unknown): PlanSummary {
  const root = (explained as Array<{ Plan: PlanNode; "Execution Time": number }>)[0];
  const scans: string[] = [];
  const seqScans: string[] = [];
  const walk = (node: PlanNode) => {
    if (node["Relation Name"]) {
      const scan = `${node["Node Type"]} on ${node["Relation Name"]}${node["Index Name"] ? ` (${node["Index Name"]})` : ""}`;
      if (!scans.includes(scan)) scans.push(scan);
      if (node["Node Type"] === "Seq Scan") seqScans.push(node["Relation Name"]);
    }
    if (node["Node Type"] === "Bitmap Index Scan") scans.push(`Bitmap Index Scan (${node["Index Name"]})`);
    for (const child of node.Plans ?? []) walk(child);
  };
  if (root) walk(root.Plan);
  return {
    text: scans.join("; "),
    ms: round(root?.["Execution Time"] ?? 0),
    blocks: (root?.Plan["Shared Hit Blocks"] ?? 0) + (root?.Plan["Shared Read Blocks"] ?? 0),
    seqScans,
  };
}

/**
 * A stand-in for Prisma that runs the repository's own `$queryRaw` text under EXPLAIN (ANALYZE, BUFFERS): the plan
 * of exactly the statement the tick sends.
 */
function explaining(db: Database, capture: (plan: unknown) => void): Tx {
  const explain = async (strings: TemplateStringsArray, ...values: unknown[]) => {
    const text = strings.reduce((sql, part, index) => `${sql}$${index}${part}`);
    const rows = await db.prisma.$queryRawUnsafe<Array<{ "QUERY PLAN": unknown }>>(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`,
      ...values,
    );
    capture(rows[0]?.["QUERY PLAN"]);
    return [];
  };
  return { $queryRaw: explain } as unknown as Tx;
}

/** The plans of the tick's two selections (the repository's own text) and of the list's first page, as they run now. */
async function explainAll(db: Database, today: string): Promise<Record<"due" | "unsettled" | "list", PlanSummary>> {
  let duePlan: unknown;
  let unsettledPlan: unknown;
  const now = new Date();
  await findDuePeriods(
    explaining(db, (plan) => (duePlan = plan)),
    { now, today, horizon: addDays(today, NOT_DUE_FROM_DAYS - 1), limit: TICK_BATCH },
  );
  await findUnsettledCharges(
    explaining(db, (plan) => (unsettledPlan = plan)),
    { now, limit: TICK_BATCH },
  );
  const explainedList = await db.sql.query<{ "QUERY PLAN": unknown }>(
    `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${listFirstPageSql}`,
  );
  return {
    due: summarizePlan(duePlan),
    unsettled: summarizePlan(unsettledPlan),
    list: summarizePlan(explainedList.rows[0]?.["QUERY PLAN"]),
  };
}

/** Today in Asia/Shanghai (YYYY-MM-DD), the calendar the scheduler's D is in, and a day `days` after a date. */
const shanghaiToday = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const label = (size: number) =>
  size >= 1_000_000 ? `${size / 1_000_000}m` : size >= 1_000 ? `${size / 1_000}k` : String(size);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** One POST /admin/v1/scheduler/run (no wait: selection and enqueue, as the tick job runs it); its charge jobs. */
async function tick(stack: BenchStack, db: Database): Promise<{ ms: number; enqueued: number; jobs: string[] }> {
  const run = await timed(() =>
    expectStatus(admin(stack, "/admin/v1/scheduler/run", { wait: false }), 200, "POST /admin/v1/scheduler/run"),
  );
  const { rows } = await db.sql.query<{ agreementId: string }>(
    `DELETE FROM pgboss.job WHERE name = 'deduction-charge' RETURNING data->>'agreementId' AS "agreementId"`,
  );
  return { ms: run.ms, enqueued: run.value.body.enqueued as number, jobs: rows.map((row) => row.agreementId) };
}

/** The due agreements' ids in the tick's order (dueDate, id). */
async function dueIds(db: Database, today: string): Promise<string[]> {
  const { rows } = await db.sql.query<{ id: string }>(
    `SELECT "id" FROM "Agreement" WHERE "status" = 'ACTIVE' AND "nextDeductDate" = $1::date ORDER BY "id"`,
    [today],
  );
  return rows.map((row) => row.id);
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * `scale`: 10 k, 100 k and 1 M agreements seeded by SQL (1 % due today), and at each size one scheduler tick
 * (selection + enqueue, POST /admin/v1/scheduler/run without wait, jobs enqueued only: the API runs no workers), the
 * same tick with a fixed due set of 100, and the admin list's first page. The tick must grow with the due set, not
 * the table: the fixed-due tick's ratio across sizes is the proof; the plans at the largest size are stored.
 */
export function runScale(options: ScenarioOptions): Promise<ScenarioResult> {
  const { scaleSizes: sizes, scaleFixedDue: fixedDue } = options.sizes;
  return onFreshStack("scale", { ...options, stackEnv: { JOBS_IN_API: "false" } }, async ({ stack, db, markLoad }) => {
    const today = shanghaiToday();
    const createdBase = new Date(Date.now() - 200 * 86_400_000);
    const details: ScenarioResult["details"] = { sizes: sizes.map(label).join(", "), fixed_due: fixedDue };
    // The plans at the largest size with the fixed due set, where the tick must cost what its due set costs.
    let plans: Awaited<ReturnType<typeof explainAll>> | undefined;
    let selectsDueSet = true;
    let listFull = true;
    let seeded = 0;
    const tickMs: number[] = [];
    const fixedMs: number[] = [];
    const listMs: number[] = [];
    const from = Date.now();
    let loadFrom = 0;
    for (const size of sizes) {
      const seed = await timed(() => seedRows(db, [seeded + 1, size, createdBase, today]));
      seeded = size;
      const at = label(size);
      details[`seed_seconds_${at}`] = round(seed.ms / 1000);
      if (loadFrom === 0) loadFrom = monotonicMicros();

      const due = await dueIds(db, today);
      const full = await tick(stack, db);
      const expected = due.slice(0, TICK_BATCH);
      selectsDueSet &&= full.enqueued === expected.length && sameSet(full.jobs, expected);
      details[`due_${at}`] = due.length;
      details[`enqueued_${at}`] = full.enqueued;
      details[`tick_ms_${at}`] = round(full.ms);
      details[`tick_ms_per_due_${at}`] = round(full.ms / Math.max(1, full.enqueued));
      tickMs.push(full.ms);

      if (size === sizes.at(-1)) {
        // With 1 % due the planner may join the due set to Charge by hashing it whole: stored, not checked.
        const onePercent = await explainAll(db, today);
        details.plan_due_one_percent_due = onePercent.due.text;
        details.plan_due_one_percent_due_ms = onePercent.due.ms;
      }

      // The fixed due set: every due agreement after the first `fixedDue` parked far ahead, then brought back.
      const kept = due.slice(0, fixedDue);
      const boundary = kept.at(-1);
      await db.sql.query(
        `UPDATE "Agreement" SET "nextDeductDate" = $1::date + ${PARKED_DAYS}
           WHERE "status" = 'ACTIVE' AND "nextDeductDate" = $1::date AND "id" > $2::uuid`,
        [today, boundary],
      );
      const fixedRuns = [];
      for (let run = 0; run < 3; run++) fixedRuns.push(await tick(stack, db));
      if (size === sizes.at(-1)) plans = await explainAll(db, today);
      selectsDueSet &&= fixedRuns.every((run) => run.enqueued === kept.length && sameSet(run.jobs, kept));
      await db.sql.query(
        `UPDATE "Agreement" SET "nextDeductDate" = $1::date
           WHERE "status" = 'ACTIVE' AND "nextDeductDate" = $1::date + ${PARKED_DAYS}`,
        [today],
      );
      const fixed = median(fixedRuns.map((run) => run.ms));
      details[`fixed_due_tick_ms_${at}`] = round(fixed);
      fixedMs.push(fixed);

      const pages = [];
      for (let run = 0; run < 5; run++) {
        const page = await timed(() =>
          expectStatus(admin(stack, "/admin/v1/agreements?limit=50"), 200, "GET /admin/v1/agreements"),
        );
        pages.push(page.ms);
        listFull &&= (page.value.body.items as unknown[]).length === 50;
      }
      const list = median(pages);
      details[`list_ms_${at}`] = round(list);
      listMs.push(list);
    }
    markLoad({ from: loadFrom, to: monotonicMicros() });

    for (const [name, plan] of Object.entries(plans ?? {})) {
      details[`plan_${name}`] = plan.text;
      details[`plan_${name}_ms`] = plan.ms;
      details[`plan_${name}_buffers`] = plan.blocks;
    }

    const first = 0;
    const last = sizes.length - 1;
    const ratio = (values: number[], index: number) => round((values[index] ?? 0) / (values[first] || 1));
    for (let index = 1; index < sizes.length; index++) {
      const pair = `${label(sizes[index] ?? 0)}_over_${label(sizes[first] ?? 0)}`;
      details[`tick_ratio_${pair}`] = ratio(tickMs, index);
      details[`fixed_due_tick_ratio_${pair}`] = ratio(fixedMs, index);
      details[`list_ratio_${pair}`] = ratio(listMs, index);
    }
    details.seconds = round((Date.now() - from) / 1000);
    const fixedGrowth = (fixedMs[last] ?? 0) / (fixedMs[first] || 1);
    details.fixed_due_tick_ratio = round(fixedGrowth);
    const value = fixedMs[last] ?? 0;
    const peers = { fixed_due_tick_smallest_table: round(fixedMs[first] ?? 0) };
    return {
      status: "ok",
      value: round(value),
      unit: "ms fixed-due tick, largest table",
      peers,
      ratios: ratiosOf("scale", value, peers),
      checks: {
        tick_selects_exactly_the_due_set: selectsDueSet,
        plans_use_indexes:
          plans !== undefined &&
          Object.values(plans).every(
            (plan) =>
              plan.text.length > 0 &&
              !plan.seqScans.some((table) => ["Agreement", "Charge", "ChargeAttempt"].includes(table)),
          ),
        list_first_page_full: listFull,
      },
      details,
    };
  });
}
