import { randomUUID } from "node:crypto";
import { defined } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  agreementFacts,
  planAlipayView,
  type AlipayAgreementView,
  type LifecyclePlan,
} from "../src/domain/agreement-lifecycle.ts";
import { Prisma, type Agreement } from "../src/generated/prisma/client.ts";
import { seedDemoPlans } from "../src/db/seed.ts";
import { presentAdminAgreement } from "../src/presenters/resources.ts";
import { readNotificationTarget, recordNotification } from "../src/repositories/agreement-notification-sql.ts";
import { applyLifecyclePlan, lockAgreement } from "../src/repositories/agreements.ts";
import { monthlyPlanId } from "./support/customer-client.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

/**
 * The lifecycle planner's table, run through both of its writers: the Prisma one (agreement.query answers, verified
 * client results, admin actions) and the single-statement SQL one (the notification hot path). For every row both
 * must store the same agreement, the same event and the same outbound event (type, sequence, and as data the admin
 * agreement as stored); a writer that drops or adds a field fails here.
 */

type Start = Partial<
  Pick<
    Agreement,
    "status" | "alipayStatus" | "alipayUserId" | "alipayOpenId" | "signTime" | "validTime" | "nextDeductDate"
  >
> & { signed?: boolean };

/**
 * `today`: the Asia/Shanghai day the view is applied on (the agreements' executeTime is 2026-11-30). `liveSibling`:
 * the row's copies belong to a customer of their own who holds an ACTIVE agreement for the plan, and both writers are
 * told so (facts.liveSiblingId, docs/alipay-protocol.md §17.6).
 */
type Row = {
  name: string;
  start: Start;
  view: AlipayAgreementView;
  expected: LifecyclePlan["kind"];
  today?: string;
  liveSibling?: boolean;
};

const signTime = "2026-11-30 10:00:00";
const validTime = "2026-11-30 10:00:01";
const invalidTime = "2115-02-01 00:00:00";
const earlier = new Date("2026-11-01T02:00:00.000Z");
const d = new Date("2026-12-05T00:00:00.000Z");
const userA = "2088000000000001";
const userB = "2088000000000002";
// Open ids are per app and not 2088 numbers (docs/alipay-protocol.md §19.1).
const openA = "074aOpenIdOfCustomerA0000000000000000000000000";
const openB = "074bOpenIdOfCustomerB0000000000000000000000000";

const rows: Row[] = [
  {
    name: "PENDING + NORMAL with every fact → ACTIVE, D = executeTime, follow-up ends",
    start: {},
    view: { status: "NORMAL", alipayUserId: userA, signTime, validTime, invalidTime },
    expected: "transition",
  },
  {
    name: "PENDING + TEMP → TEMP, no D yet",
    start: { alipayUserId: userA },
    view: { status: "TEMP", alipayUserId: userA, signTime },
    expected: "transition",
  },
  {
    name: "TEMP + NORMAL → ACTIVE, the first sign time is kept",
    start: { status: "TEMP", alipayStatus: "TEMP", signed: true, signTime: earlier, alipayUserId: userA },
    view: { status: "NORMAL", signTime, validTime },
    expected: "transition",
  },
  {
    name: "ACTIVE + STOP → PAUSED, D unchanged",
    start: { status: "ACTIVE", alipayStatus: "NORMAL", signed: true, signTime: earlier, nextDeductDate: d },
    view: { status: "STOP" },
    expected: "transition",
  },
  {
    name: "PAUSED + NORMAL → ACTIVE, D kept",
    start: { status: "PAUSED", alipayStatus: "STOP", signed: true, signTime: earlier, nextDeductDate: d },
    view: { status: "NORMAL", invalidTime },
    expected: "transition",
  },
  {
    name: "ACTIVE + UNSIGN → UNSIGNED, Alipay's status cleared",
    start: { status: "ACTIVE", alipayStatus: "NORMAL", signed: true, alipayUserId: userA, nextDeductDate: d },
    view: { status: "UNSIGN", alipayUserId: userA },
    expected: "transition",
  },
  {
    name: "PENDING + UNSIGN (notifications out of order) → UNSIGNED, the user learnt",
    start: {},
    view: { status: "UNSIGN", alipayUserId: userB },
    expected: "transition",
  },
  {
    name: "UNSIGNED + NORMAL → unchanged: terminal states never come back",
    start: { status: "UNSIGNED", signed: true, alipayUserId: userA },
    view: { status: "NORMAL", alipayUserId: userA, signTime },
    expected: "unchanged",
  },
  {
    name: "ACTIVE + NORMAL → unchanged (the times are not rewritten)",
    start: { status: "ACTIVE", alipayStatus: "NORMAL", signed: true, validTime: earlier, nextDeductDate: d },
    view: { status: "NORMAL", validTime },
    expected: "unchanged",
  },
  {
    name: "PENDING + NORMAL on the day of executeTime → ACTIVE, D = executeTime",
    start: {},
    view: { status: "NORMAL", alipayUserId: userA, signTime },
    expected: "transition",
    today: "2026-11-30",
  },
  {
    name: "PENDING + NORMAL after executeTime passed (§17.1) → ACTIVE without D, for the sweep to set",
    start: {},
    view: { status: "NORMAL", alipayUserId: userA, signTime },
    expected: "transition",
    today: "2026-12-01",
  },
  {
    name: "ABANDONED + NORMAL (signed after the follow-up gave up, §17.5) → stays ABANDONED, number and status learnt",
    start: { status: "ABANDONED" },
    view: { status: "NORMAL", alipayUserId: userA, signTime },
    expected: "transition",
  },
  {
    name: "ABANDONED known to Alipay + UNSIGN (the sweep unsigned it) → stays ABANDONED, Alipay's status cleared",
    start: { status: "ABANDONED", alipayStatus: "NORMAL", signed: true, alipayUserId: userA },
    view: { status: "UNSIGN", alipayUserId: userA },
    expected: "transition",
  },
  {
    name: "ABANDONED never seen signed + UNSIGN → unchanged",
    start: { status: "ABANDONED" },
    view: { status: "UNSIGN" },
    expected: "unchanged",
  },
  {
    name: "another Alipay user → mismatch",
    start: { alipayUserId: userA },
    view: { status: "NORMAL", alipayUserId: userB, signTime },
    expected: "mismatch",
  },
  {
    name: "another personal_product_code → mismatch",
    start: {},
    view: { status: "NORMAL", personalProductCode: "OTHER_P", signTime },
    expected: "mismatch",
  },
  {
    name: "another sign_scene → mismatch",
    start: { status: "ACTIVE", signed: true, nextDeductDate: d },
    view: { status: "UNSIGN", signScene: "INDUSTRY|OTHER" },
    expected: "mismatch",
  },
  {
    name: "open-id customer: PENDING + NORMAL naming the same open id → ACTIVE",
    start: { alipayOpenId: openA },
    view: { status: "NORMAL", alipayOpenId: openA, signTime, validTime, invalidTime },
    expected: "transition",
  },
  {
    name: "PENDING + UNSIGN naming an open id → UNSIGNED, the open id learnt",
    start: {},
    view: { status: "UNSIGN", alipayOpenId: openB },
    expected: "transition",
  },
  {
    name: "another open id → mismatch",
    start: { alipayOpenId: openA },
    view: { status: "NORMAL", alipayOpenId: openB, signTime },
    expected: "mismatch",
  },
  {
    name: "an open-id customer's agreement + a view naming only a user id → mismatch",
    start: { alipayOpenId: openA },
    view: { status: "NORMAL", alipayUserId: userA, signTime },
    expected: "mismatch",
  },
  {
    name: "a user-id customer's agreement + a view naming only an open id → mismatch",
    start: { alipayUserId: userA },
    view: { status: "NORMAL", alipayOpenId: openA, signTime },
    expected: "mismatch",
  },
  {
    name: "PENDING + NORMAL while the customer's other agreement for the plan is ACTIVE → ABANDONED duplicate, no D",
    start: {},
    view: { status: "NORMAL", alipayUserId: userA, signTime, validTime, invalidTime },
    expected: "transition",
    liveSibling: true,
  },
  {
    name: "PENDING + TEMP while the customer's other agreement for the plan is ACTIVE → ABANDONED duplicate",
    start: { alipayOpenId: openA },
    view: { status: "TEMP", alipayOpenId: openA, signTime },
    expected: "transition",
    liveSibling: true,
  },
  {
    name: "PENDING + UNSIGN while the customer's other agreement for the plan is ACTIVE → UNSIGNED (nothing to guard)",
    start: {},
    view: { status: "UNSIGN", alipayUserId: userA },
    expected: "transition",
    liveSibling: true,
  },
];

let database: TestDatabase;
let customerId: string;
/** The seeded monthly demo plan (db/seed.ts), whose terms the inserted agreements copy. */
const planId = monthlyPlanId;
let sequence = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoPlans(database.db);
  customerId = (await database.db.prisma.customer.create({ data: { id: randomUUID() } })).id;
});

afterAll(async () => {
  await database?.drop();
});

/** Per liveSibling row: its own customer and that customer's ACTIVE agreement for the plan, shared by both copies. */
const siblings = new Map<string, { customerId: string; liveSiblingId: string }>();

async function siblingFor(row: Row): Promise<{ customerId: string; liveSiblingId: string } | undefined> {
  if (!row.liveSibling) return undefined;
  const known = siblings.get(row.name);
  if (known) return known;
  const owner = (await database.db.prisma.customer.create({ data: { id: randomUUID() } })).id;
  const { agreement } = await insertAgreement({ status: "ACTIVE", signed: true, nextDeductDate: d }, owner);
  const created = { customerId: owner, liveSiblingId: agreement.id };
  siblings.set(row.name, created);
  return created;
}

/** An agreement in the row's start state; a signed one has its own Alipay agreement number. */
async function insertAgreement(
  start: Start,
  owner: string = customerId,
): Promise<{ agreement: Agreement; agreementNo: string }> {
  sequence++;
  const agreementNo = `2026${String(sequence).padStart(16, "0")}`;
  const { signed, ...fields } = start;
  const agreement = await database.db.prisma.agreement.create({
    data: {
      id: randomUUID(),
      externalAgreementNo: `PSLIFECYCLE${String(sequence).padStart(21, "0")}`,
      customerId: owner,
      planId,
      productCode: "GENERAL_WITHHOLDING",
      personalProductCode: "CYCLE_PAY_AUTH_P",
      signScene: "INDUSTRY|DIGITAL_MEDIA",
      effectType: "DIRECT",
      periodType: "MONTH",
      period: 1,
      executeTime: new Date("2026-11-30T00:00:00.000Z"),
      singleAmount: new Prisma.Decimal("19.90"),
      nextFollowUpAt: new Date("2026-11-30T03:00:00.000Z"),
      ...(signed ? { agreementNo } : {}),
      ...fields,
    },
  });
  return { agreement, agreementNo };
}

/** Each copy is named by its own agreement number, so the two copies of a row can live side by side. */
function viewFor(row: Row, agreementNo: string): AlipayAgreementView {
  return { ...row.view, agreementNo };
}

async function throughPrisma(row: Row): Promise<{ id: string; kind: string }> {
  const sibling = await siblingFor(row);
  const { agreement, agreementNo } = await insertAgreement(row.start, sibling?.customerId);
  const kind = await database.db.prisma.$transaction(async (tx) => {
    const locked = await lockAgreement(tx, agreement.id);
    if (!locked) throw new Error("the agreement vanished");
    const facts = { ...agreementFacts(locked), ...(sibling ? { liveSiblingId: sibling.liveSiblingId } : {}) };
    const plan = planAlipayView(facts, viewFor(row, agreementNo), row.today);
    await applyLifecyclePlan(tx, { agreement: locked, plan, event: { source: "NOTIFICATION", reason: row.name } });
    return plan.kind;
  });
  return { id: agreement.id, kind };
}

async function throughSql(row: Row): Promise<{ id: string; kind: string }> {
  const sibling = await siblingFor(row);
  const { agreement, agreementNo } = await insertAgreement(row.start, sibling?.customerId);
  const read = await readNotificationTarget(database.db, randomUUID(), {
    externalAgreementNo: agreement.externalAgreementNo,
    agreementNo,
  });
  const expected = {
    id: agreement.id,
    ...agreementFacts(agreement),
    ...(sibling ? { liveSiblingId: sibling.liveSiblingId } : {}),
    row: defined(read.agreement, "the agreement as the hot path reads it").row,
  };
  const plan = planAlipayView(expected, viewFor(row, agreementNo), row.today);
  const written = await recordNotification(database.db, {
    inbox: {
      notifyId: randomUUID(),
      notifyType: "dut_user_sign",
      appId: "2021000000000000",
      agreementNo,
      outTradeNo: null,
      params: {},
    },
    outcome: plan.kind === "transition" ? "APPLIED" : "NO_CHANGE",
    detail: row.name,
    expected,
    transition:
      plan.kind === "transition"
        ? { plan, event: { source: "NOTIFICATION", reason: row.name, raw: {} }, nextSweepAt: null }
        : undefined,
  });
  expect(written).toBe("recorded");
  return { id: agreement.id, kind: plan.kind };
}

/**
 * What the writers are responsible for: every column but identities and write times, the events, and the outbound
 * events (each one's data is the admin agreement as stored, compared here without identities and times).
 */
async function stored(id: string) {
  const agreement = await database.db.prisma.agreement.findUniqueOrThrow({ where: { id } });
  const events = await database.db.prisma.agreementEvent.findMany({ where: { agreementId: id } });
  const outbound = await database.db.prisma.webhookEvent.findMany({ where: { agreementId: id } });
  for (const event of outbound) expect(event.data).toEqual(presentAdminAgreement(agreement));
  const {
    id: _id,
    externalAgreementNo: _externalAgreementNo,
    createdAt: _createdAt,
    updatedAt: _updatedAt,
    agreementNo,
    ...columns
  } = agreement;
  return {
    columns: { ...columns, hasAgreementNo: agreementNo !== null },
    events: events.map((event) => ({ from: event.fromStatus, to: event.toStatus, source: event.source })),
    outbound: outbound.map((event) => {
      const {
        id: _dataId,
        externalAgreementNo: _dataExternalNo,
        agreementNo: _dataAgreementNo,
        createdAt: _dataCreatedAt,
        updatedAt: _dataUpdatedAt,
        ...data
      } = event.data as Record<string, unknown>;
      return { type: event.type, sequence: event.sequence, data };
    }),
  };
}

describe("the agreement lifecycle planner, through both writers", () => {
  test.each(rows)("$name", async (row) => {
    const prisma = await throughPrisma(row);
    const sql = await throughSql(row);
    expect(prisma.kind).toBe(row.expected);
    expect(sql.kind).toBe(row.expected);

    const byPrisma = await stored(prisma.id);
    const bySql = await stored(sql.id);
    expect(bySql).toEqual(byPrisma);
    expect(byPrisma.events).toHaveLength(row.expected === "transition" ? 1 : 0);
    // An event per status moved to; a transition that keeps the status (ABANDONED learning Alipay's facts) writes none.
    const moves = byPrisma.events.filter((event) => event.from !== event.to);
    expect(byPrisma.outbound.map((event) => event.sequence)).toEqual(moves.map(() => 1));
  });

  test("each writer's outbound event is named for the status the agreement moved to", async () => {
    const expectedTypes: Array<[string, string]> = [
      ["PENDING + NORMAL with every fact", "agreement.activated"],
      ["PENDING + TEMP → TEMP", "agreement.awaiting_effect"],
      ["TEMP + NORMAL → ACTIVE", "agreement.activated"],
      ["ACTIVE + STOP → PAUSED", "agreement.paused"],
      ["PAUSED + NORMAL → ACTIVE", "agreement.resumed"],
      ["ACTIVE + UNSIGN → UNSIGNED", "agreement.unsigned"],
      ["PENDING + NORMAL while the customer's other agreement", "agreement.abandoned"],
    ];
    for (const [start, type] of expectedTypes) {
      const row = defined(
        rows.find((candidate) => candidate.name.startsWith(start)),
        start,
      );
      for (const through of [throughPrisma, throughSql]) {
        const { id } = await through(row);
        expect((await stored(id)).outbound.map((event) => event.type)).toEqual([type]);
      }
    }
  });

  test("the table covers every Alipay status and every plan kind", () => {
    expect(new Set(rows.map((row) => row.view.status))).toEqual(new Set(["NORMAL", "TEMP", "STOP", "UNSIGN"]));
    expect(new Set(rows.map((row) => row.expected))).toEqual(new Set(["transition", "unchanged", "mismatch"]));
  });

  test("a first D already past when the agreement takes effect is left unset; ABANDONED keeps its status", async () => {
    const byName = (start: string) =>
      defined(
        rows.find((row) => row.name.startsWith(start)),
        start,
      );
    for (const through of [throughPrisma, throughSql]) {
      const onTheDay = await through(byName("PENDING + NORMAL on the day"));
      expect((await stored(onTheDay.id)).columns.nextDeductDate).toEqual(new Date("2026-11-30T00:00:00.000Z"));
      const late = await through(byName("PENDING + NORMAL after executeTime"));
      expect((await stored(late.id)).columns).toMatchObject({ status: "ACTIVE", nextDeductDate: null });
      const abandoned = await through(byName("ABANDONED + NORMAL"));
      expect((await stored(abandoned.id)).columns).toMatchObject({
        status: "ABANDONED",
        alipayStatus: "NORMAL",
        hasAgreementNo: true,
        nextDeductDate: null,
      });
    }
  });

  test("a transition to ACTIVE starts D at executeTime and ends the follow-up; the sign time is learnt once", async () => {
    const first = await throughPrisma(defined(rows[0], "rows[0]"));
    const agreement = await database.db.prisma.agreement.findUniqueOrThrow({ where: { id: first.id } });
    expect(agreement).toMatchObject({
      status: "ACTIVE",
      alipayStatus: "NORMAL",
      alipayUserId: userA,
      nextDeductDate: agreement.executeTime,
      nextFollowUpAt: null,
      signTime: new Date("2026-11-30T02:00:00.000Z"),
      invalidTime: new Date("2115-01-31T16:00:00.000Z"),
    });
    const third = await throughSql(defined(rows[2], "rows[2]"));
    const activated = await database.db.prisma.agreement.findUniqueOrThrow({ where: { id: third.id } });
    expect(activated.signTime).toEqual(earlier);
    expect(activated.validTime).toEqual(new Date("2026-11-30T02:00:01.000Z"));
  });

  test("a signing while the customer's other agreement for the plan is live makes a DUPLICATE_OF it (§17.6)", async () => {
    const row = defined(
      rows.find((candidate) => candidate.name.startsWith("PENDING + NORMAL while")),
      "duplicate row",
    );
    for (const through of [throughPrisma, throughSql]) {
      const duplicate = await through(row);
      expect((await stored(duplicate.id)).columns).toMatchObject({
        status: "ABANDONED",
        alipayStatus: "NORMAL",
        alipayUserId: userA,
        hasAgreementNo: true,
        nextDeductDate: null,
        nextFollowUpAt: null,
      });
      const events = await database.db.prisma.agreementEvent.findMany({ where: { agreementId: duplicate.id } });
      const { liveSiblingId } = defined(siblings.get(row.name), "sibling");
      expect(events.map((event) => event.reason)).toEqual([`DUPLICATE_OF ${liveSiblingId}: ${row.name}`]);
    }
  });

  test("a plan made before the customer's other agreement became live is not applied by either writer", async () => {
    const row = defined(
      rows.find((candidate) => candidate.name.startsWith("PENDING + NORMAL while")),
      "duplicate row",
    );
    const { customerId: owner } = defined(await siblingFor(row), "sibling");
    const { agreement, agreementNo } = await insertAgreement({}, owner);
    const stale = planAlipayView(
      { ...agreementFacts(agreement), liveSiblingId: null },
      viewFor(row, agreementNo),
      row.today,
    );
    expect(stale).toMatchObject({ kind: "transition", to: "ACTIVE", liveSibling: null });
    await expect(
      database.db.prisma.$transaction(async (tx) => {
        const locked = defined(await lockAgreement(tx, agreement.id), "agreement");
        await applyLifecyclePlan(tx, {
          agreement: locked,
          plan: stale,
          event: { source: "NOTIFICATION", reason: "stale" },
        });
      }),
    ).rejects.toThrow(/live agreement .* changed/);
    const written = await recordNotification(database.db, {
      inbox: {
        notifyId: randomUUID(),
        notifyType: "dut_user_sign",
        appId: "2021000000000000",
        agreementNo,
        outTradeNo: null,
        params: {},
      },
      outcome: "APPLIED",
      detail: "stale",
      expected: { id: agreement.id, ...agreementFacts(agreement), liveSiblingId: null, row: agreement },
      transition:
        stale.kind === "transition"
          ? { plan: stale, event: { source: "NOTIFICATION", reason: "stale", raw: {} }, nextSweepAt: null }
          : undefined,
    });
    expect(written).toBe("moved");
    expect((await stored(agreement.id)).columns).toMatchObject({ status: "PENDING", nextDeductDate: null });
  });
});
