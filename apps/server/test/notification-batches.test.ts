import { randomUUID } from "node:crypto";
import { alipayNotificationSchema } from "@paysign/contracts/alipay";
import pg from "pg";
import { afterAll, afterEach, beforeAll, expect, test, vi } from "vitest";
import { seedDemoPlans } from "../src/db/seed.ts";
import { isDatabaseUnavailable, isLockTimeout } from "../src/http/database-errors.ts";
import { Prisma } from "../src/generated/prisma/client.ts";
import { applyAgreementNotification, type AgreementNotification } from "../src/notifications/agreement-notification.ts";
import type { StatementBatchReport } from "../src/db/statement-batches.ts";
import { createMetrics } from "../src/metrics/metrics.ts";
import type { InboxRow } from "../src/repositories/agreement-notification-sql.ts";
import { monthlyPlanId, weeklyPlanId } from "./support/customer-client.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

// Notifications arriving together share one read statement and one write statement (group commit,
// db/statement-batches.ts): one transaction then holds several notifications' writes. Started in one turn of the event
// loop, the notifications below go in one batch each time, so what one batch must get right is checked here: a
// re-delivery of a notification in the same batch as the original, and two notifications of one agreement.

let database: TestDatabase;
/** Every batch of the hot path's statements, as the database reports them to the process's metrics. */
const batches: StatementBatchReport[] = [];
const metrics = createMetrics({ defaultMetrics: false });
/** The database's warnings (a pool connection lost, a batch that failed as a whole). */
const warnings: Array<{ details: object; message: string }> = [];
const sweep = { intervalHours: 24, leadDays: 3 };
beforeAll(async () => {
  database = await createTestDatabase({
    observeStatementBatch: (batch) => {
      batches.push(batch);
      metrics.observeStatementBatch(batch);
    },
    logger: { warn: (details, message) => void warnings.push({ details, message }) },
  });
  await seedDemoPlans(database.db);
});
afterAll(async () => {
  await database?.drop();
});
// A test that fails before it restores the pool's query leaves it spied on; the next test starts from the pool's own.
afterEach(() => {
  vi.restoreAllMocks();
});

let sequence = 0;

/** A PENDING agreement, as a sign string leaves it: of a customer of its own unless one is given. */
async function pendingAgreement(options: { customerId?: string; planId?: string; id?: string } = {}) {
  const number = ++sequence;
  const customerId =
    options.customerId ?? (await database.db.prisma.customer.create({ data: { id: randomUUID() } })).id;
  return database.db.prisma.agreement.create({
    data: {
      id: options.id ?? randomUUID(),
      externalAgreementNo: `PSBATCH${String(number).padStart(25, "0")}`,
      customerId,
      planId: options.planId ?? monthlyPlanId,
      productCode: "GENERAL_WITHHOLDING",
      personalProductCode: "CYCLE_PAY_AUTH_P",
      signScene: "INDUSTRY|DIGITAL_MEDIA",
      effectType: "DIRECT",
      periodType: "MONTH",
      period: 1,
      executeTime: new Date("2026-12-07T00:00:00.000Z"),
      singleAmount: new Prisma.Decimal("19.90"),
    },
  });
}

/** A dut_user_sign of the agreement, as ingestNotification hands it on once verified and parsed. */
function dutUserSign(externalAgreementNo: string, agreementNo: string) {
  const params = {
    notify_id: `${Date.now()}${String(++sequence).padStart(21, "0")}`,
    notify_time: "2026-11-30 10:00:05",
    notify_type: "dut_user_sign",
    app_id: "2021000000000000",
    status: "NORMAL",
    agreement_no: agreementNo,
    external_agreement_no: externalAgreementNo,
    personal_product_code: "CYCLE_PAY_AUTH_P",
    sign_scene: "INDUSTRY|DIGITAL_MEDIA",
    alipay_user_id: `2088${agreementNo.slice(-12)}`,
    sign_time: "2026-11-30 10:00:00",
    valid_time: "2026-11-30 10:00:00",
    invalid_time: "2115-02-01 00:00:00",
  };
  // Verified already at this point: the signature is not read again.
  const notification = alipayNotificationSchema.parse({
    ...params,
    sign_type: "RSA2",
    sign: "verified",
  }) as AgreementNotification;
  const inbox: InboxRow = {
    notifyId: params.notify_id,
    notifyType: params.notify_type,
    appId: params.app_id,
    agreementNo,
    outTradeNo: null,
    params,
  };
  return { inbox, notification };
}

type Delivery = ReturnType<typeof dutUserSign>;

/** One delivery applied as the notify route applies it. */
function apply({ inbox, notification }: Delivery) {
  return applyAgreementNotification({ db: database.db, sweep }, inbox, notification);
}

/** The deliveries applied at once, started in one turn of the event loop so that they share batches; in order. */
function applyTogether(deliveries: readonly Delivery[]) {
  return Promise.all(deliveries.map(apply));
}

type Query = (config: pg.QueryConfig) => Promise<pg.QueryResult>;

/**
 * Sends the pool's hot-path statements (named `notify-…`) through `handle`, with the pool's own query to pass them on;
 * every other statement goes to the pool as before. Undone by vi.restoreAllMocks().
 */
function interceptNotifyStatements(handle: (config: pg.QueryConfig, original: Query) => Promise<pg.QueryResult>) {
  const pool = database.db.sql;
  const original = pool.query.bind(pool) as Query;
  vi.spyOn(pool, "query").mockImplementation((async (config: pg.QueryConfig | string) =>
    typeof config !== "string" && config.name?.startsWith("notify-")
      ? handle(config, original)
      : original(config as pg.QueryConfig)) as never);
}

/** How many notifications each statement of the hot path carried, by statement name, in the order they were sent. */
function recordBatches() {
  const batches: Array<[string, number]> = [];
  interceptNotifyStatements(async (config, original) => {
    const result = await original(config);
    batches.push([config.name ?? "", result.rowCount ?? 0]);
    return result;
  });
  return batches;
}

test("notifications arriving together: one read and one write for all, a re-delivery and a second notification of one agreement each applied once", async () => {
  const agreements = await Promise.all(Array.from({ length: 5 }, () => pendingAgreement()));
  const signed = agreements.map((agreement, index) =>
    dutUserSign(agreement.externalAgreementNo, `2026113000${String(index).padStart(10, "0")}`),
  );
  const [first, second] = signed as [(typeof signed)[number], (typeof signed)[number]];
  // Alipay delivering the first one twice, and a second dut_user_sign of the second agreement (a new notify_id).
  const secondAgain = dutUserSign(agreements[1]?.externalAgreementNo ?? "", second.notification.agreement_no);
  const deliveries = [...signed, first, secondAgain];

  const batches = recordBatches();
  const outcomes = await applyTogether(deliveries);
  vi.restoreAllMocks();

  expect(batches.slice(0, 2)).toEqual([
    ["notify-read-targets", 7],
    ["notify-record-for-agreements", 7],
  ]);
  expect(outcomes.slice(0, 5)).toEqual(
    Array.from({ length: 5 }, () => ({ outcome: "APPLIED", detail: "PENDING → ACTIVE" })),
  );
  // Each later one found its agreement moved by the one before it in the batch, and was decided again.
  expect(outcomes[5]).toBe("duplicate");
  expect(outcomes[6]).toMatchObject({ outcome: "NO_CHANGE" });

  const { prisma } = database.db;
  const ids = agreements.map((agreement) => agreement.id);
  expect(await prisma.agreement.count({ where: { id: { in: ids }, status: "ACTIVE" } })).toBe(5);
  const activations = await prisma.agreementEvent.groupBy({
    by: ["agreementId"],
    where: { agreementId: { in: ids }, toStatus: "ACTIVE" },
    _count: { _all: true },
  });
  expect(activations.map((row) => row._count._all)).toEqual([1, 1, 1, 1, 1]);
  const outbound = await prisma.webhookEvent.findMany({ where: { agreementId: { in: ids } } });
  expect(outbound.map((event) => [event.type, event.sequence])).toEqual(
    Array.from({ length: 5 }, () => ["agreement.activated", 1]),
  );
  const inbox = await prisma.notificationInbox.findMany({
    where: { notifyId: { in: deliveries.map((delivery) => delivery.inbox.notifyId) } },
  });
  expect(inbox.map((row) => row.outcome).sort()).toEqual([
    "APPLIED",
    "APPLIED",
    "APPLIED",
    "APPLIED",
    "APPLIED",
    "NO_CHANGE",
  ]);
});

test("six agreements of one customer and plan signed in one batch: one live, five duplicates, each decided at most twice", async () => {
  // The write sees the rows as they were when it began: a signing that checks the customer's live agreement is decided
  // again when one before it in the batch made an agreement of the customer and plan live (the first here), but not
  // for a duplicate's PENDING → ABANDONED, which changes no live agreement. A chain of re-decisions (one more for each
  // sibling) would run the sixth out of the five decisions a notification gets, or show as more write batches.
  const { id: customerId } = await database.db.prisma.customer.create({ data: { id: randomUUID() } });
  const agreements = [];
  for (let index = 0; index < 6; index++) agreements.push(await pendingAgreement({ customerId }));
  const signed = agreements.map((agreement, index) =>
    dutUserSign(agreement.externalAgreementNo, `2026113006${String(index).padStart(10, "0")}`),
  );

  const batches = recordBatches();
  const outcomes = await applyTogether(signed);
  vi.restoreAllMocks();

  expect(outcomes.map((outcome) => (outcome === "duplicate" ? outcome : outcome.outcome))).toEqual(
    Array.from({ length: 6 }, () => "APPLIED"),
  );
  expect(batches.filter(([name]) => name === "notify-record-for-agreements").length).toBeLessThanOrEqual(2);
  const rows = await database.db.prisma.agreement.findMany({
    where: { id: { in: agreements.map((agreement) => agreement.id) } },
    orderBy: { createdAt: "asc" },
  });
  const live = rows.filter((row) => row.status === "ACTIVE");
  expect(live).toHaveLength(1);
  expect(rows.filter((row) => row.status === "ABANDONED")).toHaveLength(5);
  const events = await database.db.prisma.agreementEvent.findMany({
    where: { agreementId: { in: rows.map((row) => row.id) } },
  });
  expect(events).toHaveLength(6);
  for (const event of events.filter((found) => found.toStatus === "ABANDONED"))
    expect(event.reason).toMatch(new RegExp(`^DUPLICATE_OF ${live[0]?.id}`));
});

test("a notification recorded without a transition holds back no sibling's signing in its batch", async () => {
  // A dut_user_sign naming another personal product is a MISMATCH of its agreement: recorded, nothing applied. The
  // sibling's signing beside it checks the customer's live agreement, which the mismatch does not change.
  const { id: customerId } = await database.db.prisma.customer.create({ data: { id: randomUUID() } });
  const mismatched = await pendingAgreement({ customerId });
  const signing = await pendingAgreement({ customerId });
  const other = dutUserSign(mismatched.externalAgreementNo, "20261130070000000000");
  other.notification.personal_product_code = "OTHER_PRODUCT_P";
  other.inbox.params = { ...other.inbox.params, personal_product_code: "OTHER_PRODUCT_P" };
  const signed = dutUserSign(signing.externalAgreementNo, "20261130070000000001");

  const batches = recordBatches();
  const outcomes = await applyTogether([other, signed]);

  expect(outcomes).toEqual([
    expect.objectContaining({ outcome: "MISMATCH" }),
    { outcome: "APPLIED", detail: "PENDING → ACTIVE" },
  ]);
  expect(batches.filter(([name]) => name === "notify-record-for-agreements")).toEqual([
    ["notify-record-for-agreements", 2],
  ]);
});

test("a batch takes its agreements' locks before any customer's: a writer holding one of them (agreement, then customer) is never deadlocked by it", async () => {
  // One customer, two agreements (two plans) activated in one batch; a writer holds the later agreement's lock.
  const customerId = (await database.db.prisma.customer.create({ data: { id: randomUUID() } })).id;
  const [firstId, secondId] = [randomUUID(), randomUUID()].sort() as [string, string];
  const first = await pendingAgreement({ customerId, id: firstId });
  const second = await pendingAgreement({ customerId, id: secondId, planId: weeklyPlanId });
  const writer = new pg.Client({ connectionString: database.url });
  const observer = new pg.Client({ connectionString: database.url });
  await Promise.all([writer.connect(), observer.connect()]);
  try {
    await writer.query("BEGIN");
    await writer.query(`SELECT 1 FROM "Agreement" WHERE "id" = $1 FOR UPDATE`, [second.id]);

    const deliveries = [first, second].map((agreement, index) =>
      dutUserSign(agreement.externalAgreementNo, `2026113001${String(index).padStart(10, "0")}`),
    );
    const outcomes = applyTogether(deliveries);
    // The batch's write has locked the first agreement and waits for the second, held by the writer.
    await expect
      .poll(
        async () =>
          (
            await observer.query<{ waiting: string }>(
              `SELECT count(*) AS waiting FROM pg_stat_activity
               WHERE wait_event_type = 'Lock' AND query LIKE '%paysign_record_agreement_notifications%'`,
            )
          ).rows[0]?.waiting,
        { timeout: 10_000 },
      )
      .toBe("1");
    // The writer goes on as every single-agreement writer does, to the agreement's customer: the batch holds no
    // customer lock yet, so it is granted at once instead of closing a cycle.
    await writer.query(`SELECT 1 FROM "Customer" WHERE "id" = $1 FOR NO KEY UPDATE NOWAIT`, [customerId]);
    await writer.query("COMMIT");

    expect(await outcomes).toEqual([
      { outcome: "APPLIED", detail: "PENDING → ACTIVE" },
      { outcome: "APPLIED", detail: "PENDING → ACTIVE" },
    ]);
  } finally {
    await writer.query("ROLLBACK").catch(() => undefined);
    await Promise.all([writer.end(), observer.end()]);
  }
});

test("a batch waits at most 2 s for a row lock: the notification whose agreement is held fails, the others are applied meanwhile", async () => {
  const [free, held] = [await pendingAgreement(), await pendingAgreement()];
  const writer = new pg.Client({ connectionString: database.url });
  await writer.connect();
  try {
    await writer.query("BEGIN");
    await writer.query(`SELECT 1 FROM "Agreement" WHERE "id" = $1 FOR UPDATE`, [held.id]);
    const [forFree, forHeld] = [free, held].map((agreement, index) =>
      dutUserSign(agreement.externalAgreementNo, `2026113005${String(index).padStart(10, "0")}`),
    ) as [Delivery, Delivery];
    const heldOutcome = apply(forHeld).then(
      (outcome) => ({ outcome }),
      (error: unknown) => ({ error }),
    );
    const freeOutcome = apply(forFree);
    const stalled = new Promise<"stalled">((resolve) => setTimeout(() => resolve("stalled"), 20_000).unref());

    // Both went in one batch, which failed on the held row after 2 s; run again one by one, the free one is applied
    // while the row is still held.
    const reported = batches.length;
    expect(await Promise.race([freeOutcome, stalled])).toEqual({ outcome: "APPLIED", detail: "PENDING → ACTIVE" });
    const { error } = (await heldOutcome) as { error: unknown };
    expect(error).toMatchObject({ code: "55P03" });
    // The batch's failure is reported with its own error: logged as a warning and counted by the metrics. Its
    // statement's time is the 2 s it waited, not the retries' too.
    const failed = batches.slice(reported).filter((batch) => batch.error);
    expect(failed.map(({ statement, size }) => ({ statement, size }))).toEqual([
      { statement: "notify_write", size: 2 },
    ]);
    expect(failed[0]?.error).toMatchObject({ code: "55P03" });
    expect(failed[0]?.seconds).toBeLessThan(2.5);
    expect(warnings).toContainEqual({
      details: { statement: "notify_write", size: 2, code: "55P03", error: expect.any(String) as unknown },
      message: expect.stringContaining("a batch of 2 notify_write statements failed as a whole") as unknown,
    });
    expect(await metrics.registry.getSingleMetricAsString("paysign_statement_batch_failures_total")).toContain(
      'paysign_statement_batch_failures_total{statement="notify_write"} 1',
    );
    // What the notify route tells apart: not a lost database, a lock waited for too long (answered `fail` either way).
    expect([isLockTimeout(error), isDatabaseUnavailable(error)]).toEqual([true, false]);
    const heldNow = await database.db.prisma.agreement.findUniqueOrThrow({ where: { id: held.id } });
    expect(heldNow.status).toBe("PENDING");
    const recorded = await database.db.prisma.notificationInbox.count({ where: { notifyId: forHeld.inbox.notifyId } });
    expect(recorded).toBe(0);

    // Released, the same notification delivered again is applied.
    await writer.query("COMMIT");
    expect(await apply(forHeld)).toEqual({ outcome: "APPLIED", detail: "PENDING → ACTIVE" });
  } finally {
    await writer.query("ROLLBACK").catch(() => undefined);
    await writer.end();
  }
});

type TableScans = { relname: string; seq_scan: string; idx_scan: string };

/**
 * Runs the hot-path statement `name` on a client of the test's own, in a transaction that then reads its own scans of
 * `tables` (pg_stat_xact_user_tables), while `work` runs; every other statement goes to the pool. The client must be
 * new and run nothing before: pg_stat_xact_user_tables also shows a connection's scans of the transactions of the
 * last second or so, whose counts are not flushed yet.
 */
async function scansOfStatement(name: string, tables: string[], work: () => Promise<void>): Promise<TableScans[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const scans: TableScans[] = [];
  interceptNotifyStatements(async (config, original) => {
    if (config.name !== name) return original(config);
    await client.query("BEGIN");
    try {
      const result = await client.query(config);
      const counted = await client.query<TableScans>(
        `SELECT relname, seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = ANY ($1) ORDER BY relname`,
        [tables],
      );
      await client.query("COMMIT");
      scans.push(...counted.rows);
      return result;
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    }
  });
  try {
    await work();
  } finally {
    vi.restoreAllMocks();
    await client.end();
  }
  return scans;
}

/** Agreements activated by dut_user_sign notifications arriving together: each APPLIED. */
async function signTogether(agreements: Array<{ externalAgreementNo: string }>, prefix: string) {
  const outcomes = await applyTogether(
    agreements.map((agreement, index) =>
      dutUserSign(agreement.externalAgreementNo, `${prefix}${String(index).padStart(10, "0")}`),
    ),
  );
  expect(outcomes).toEqual(agreements.map(() => ({ outcome: "APPLIED", detail: "PENDING → ACTIVE" })));
}

test("a batch finds the agreements and customers it locks by primary key: no table of thousands of rows is read whole", async () => {
  // Enough rows that reading a whole table is what a planner guessing 100 calls a batch picked (as it did at 4,400);
  // a table of a few pages may still be read whole, where that is the cheaper plan.
  const template = await pendingAgreement();
  await database.db.sql.query(
    `
    WITH seeded AS (
      INSERT INTO "Customer" ("id", "updatedAt") SELECT gen_random_uuid(), now() FROM generate_series(1, 3000)
      RETURNING "id")
    INSERT INTO "Agreement"
    SELECT copy.*
    FROM (SELECT s."id", row_number() OVER () AS "number" FROM seeded AS s) AS s
    CROSS JOIN (SELECT * FROM "Agreement" WHERE "id" = $1) AS t
    CROSS JOIN LATERAL jsonb_populate_record(NULL::"Agreement", to_jsonb(t) || jsonb_build_object(
      'id', gen_random_uuid(), 'customerId', s."id",
      'externalAgreementNo', 'PSSEED' || lpad(s."number"::text, 26, '0'))) AS copy`,
    [template.id],
  );
  await database.db.sql.query(`ANALYZE "Agreement", "Customer"`);
  const agreements = await Promise.all(Array.from({ length: 3 }, () => pendingAgreement()));

  const scans = await scansOfStatement("notify-record-for-agreements", ["Agreement", "Customer"], () =>
    signTogether(agreements, "2026113002"),
  );
  expect(scans.map((row) => [row.relname, Number(row.seq_scan), Number(row.idx_scan) > 0])).toEqual([
    ["Agreement", 0, true],
    ["Customer", 0, true],
  ]);
});

test("a batch's read looks each notify_id up in the inbox by its index: an inbox of thousands of rows is not read whole", async () => {
  // The read's EXISTS subquery was answered by hashing the whole inbox once a statement for a batch of 20 (and more
  // readily under the generic plan the read now keeps).
  await database.db.sql.query(
    `INSERT INTO "NotificationInbox" ("id", "notifyId", "notifyType", "appId", "outcome", "params")
     SELECT gen_random_uuid(), 'SEEDED' || lpad(n::text, 28, '0'), 'dut_user_sign', '2021000000000000', 'APPLIED', '{}'
     FROM generate_series(1, 3000) AS n`,
  );
  await database.db.sql.query(`ANALYZE "NotificationInbox"`);
  const agreements = await Promise.all(Array.from({ length: 20 }, () => pendingAgreement()));

  const scans = await scansOfStatement("notify-read-targets", ["NotificationInbox"], () =>
    signTogether(agreements, "2026113003"),
  );
  expect(scans.map((row) => [row.relname, Number(row.seq_scan), Number(row.idx_scan) > 0])).toEqual([
    ["NotificationInbox", 0, true],
  ]);
});

test("the batch write, like the read, keeps one plan a connection (its 2 s lock timeout kept): the plan does not depend on what a batch holds", async () => {
  // CREATE OR REPLACE FUNCTION resets a function's settings to its own SET clauses: a later version of either function
  // that leaves them out would be planned again at every call (about 1 ms for the write) without failing anything else.
  const { rows } = await database.db.sql.query<{ proname: string; proconfig: string[] }>(
    `SELECT proname, ARRAY(SELECT setting FROM unnest(proconfig) AS setting ORDER BY setting) AS proconfig
     FROM pg_proc
     WHERE proname IN ('paysign_read_notification_targets', 'paysign_record_agreement_notifications')
     ORDER BY proname`,
  );
  expect(rows).toEqual([
    { proname: "paysign_read_notification_targets", proconfig: ["plan_cache_mode=force_generic_plan"] },
    {
      proname: "paysign_record_agreement_notifications",
      proconfig: ["lock_timeout=2s", "plan_cache_mode=force_generic_plan"],
    },
  ]);
});
