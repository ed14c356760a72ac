import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Prisma } from "../src/generated/prisma/client.ts";
import { settleFirstAttemptPaid } from "../src/repositories/charge-settle-sql.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

// repositories/charge-settle-sql.ts: the one-statement settle writes all of it or nothing. A charge that is no longer
// PROCESSING (while the agreement is still as the claim read it) must leave the attempt PROCESSING too: an attempt
// settled alone would make the Prisma fallback answer "already" and the charge would never be settled.
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

test("settleFirstAttemptPaid writes nothing when the charge is not PROCESSING", async () => {
  const customerId = randomUUID();
  const planId = randomUUID();
  const agreementId = randomUUID();
  const chargeId = randomUUID();
  const attemptId = randomUUID();
  await t.db.sql.query(`INSERT INTO "Customer" ("id", "updatedAt") VALUES ($1, now())`, [customerId]);
  await t.db.sql.query(
    `INSERT INTO "Plan" ("id","name","productCode","personalProductCode","signScene","periodType","period","singleAmount","updatedAt")
     VALUES ($1,'p','G','P','S','MONTH',1,10,now())`,
    [planId],
  );
  await t.db.sql.query(
    `INSERT INTO "Agreement" ("id","externalAgreementNo","customerId","planId","status","agreementNo","productCode",
      "personalProductCode","signScene","effectType","periodType","period","executeTime","singleAmount","nextDeductDate","updatedAt")
     VALUES ($1,'ext1',$2,$3,'ACTIVE','20880001','G','P','S','DIRECT','MONTH',1,'2028-05-08',10,'2028-05-08',now())`,
    [agreementId, customerId, planId],
  );
  await t.db.sql.query(
    `INSERT INTO "Charge" ("id","agreementId","dueDate","amount","status","updatedAt") VALUES ($1,$2,'2028-05-08',10,'FAILED',now())`,
    [chargeId, agreementId],
  );
  await t.db.sql.query(
    `INSERT INTO "ChargeAttempt" ("id","chargeId","outTradeNo","status") VALUES ($1,$2,'otn1','PROCESSING')`,
    [attemptId, chargeId],
  );
  const settled = await settleFirstAttemptPaid(t.db, {
    agreement: {
      agreementId,
      dueDate: "2028-05-08",
      agreementNo: "20880001",
      paymentsCount: 0,
      paidTotal: new Prisma.Decimal(0),
    },
    attemptId,
    chargeId,
    trade: { tradeNo: "T1", paidAt: new Date() },
    amount: "10.00",
    nextDeductDate: "2028-06-08",
    at: new Date(),
    event: { id: randomUUID(), data: {} },
  });
  expect(settled).toBe(false);
  const { rows } = await t.db.sql.query<{ status: string }>(
    `SELECT "status"::text AS "status" FROM "ChargeAttempt" WHERE "id" = $1`,
    [attemptId],
  );
  expect(rows[0]?.status).toBe("PROCESSING");
});
