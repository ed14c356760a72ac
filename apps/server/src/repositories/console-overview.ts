import type { Tx } from "./transaction.ts";

export type DailyCount = { date: string; count: number };

export type OverviewFigures = {
  activeAgreements: number;
  /** Yuan with two decimals, computed in NUMERIC. */
  mrr: string;
  /** Yuan with two decimals. */
  charged: string;
  attemptsSucceeded: number;
  attemptsFailed: number;
  newAgreements: DailyCount[];
  endedAgreements: DailyCount[];
  pastDueCharges: number;
  failedCharges: number;
  notificationMismatches: number;
  reconciliationDifferences: number;
};

const END_STATES = ["UNSIGNED", "EXPIRED", "COMPLETED"];

/**
 * The console overview's figures for the instants `[start, end)` (Asia/Shanghai day boundaries from the caller).
 * MRR normalises each ACTIVE agreement's single amount to a month: MONTH periods single ÷ period, DAY periods
 * single × 30 ÷ period, summed in NUMERIC and rounded half up to the fen. Days group in Asia/Shanghai.
 */
export async function readOverviewFigures(db: Tx, range: { start: Date; end: Date }): Promise<OverviewFigures> {
  const { start, end } = range;
  const [agreements] = await db.$queryRaw<Array<{ active: number; mrr: string }>>`
    SELECT count(*)::int AS active,
      round(coalesce(sum(CASE WHEN "periodType" = 'MONTH' THEN "singleAmount" / "period"
                              ELSE "singleAmount" * 30 / "period" END), 0), 2)::text AS mrr
    FROM "Agreement" WHERE status = 'ACTIVE'`;
  const [charged] = await db.$queryRaw<Array<{ charged: string }>>`
    SELECT coalesce(sum(amount), 0)::numeric(12, 2)::text AS charged
    FROM "Charge" WHERE status = 'SUCCEEDED' AND "paidAt" >= ${start} AND "paidAt" < ${end}`;
  const [attempts] = await db.$queryRaw<Array<{ succeeded: number; failed: number }>>`
    SELECT (count(*) FILTER (WHERE status = 'SUCCEEDED'))::int AS succeeded,
      (count(*) FILTER (WHERE status = 'FAILED'))::int AS failed
    FROM "ChargeAttempt" WHERE "requestedAt" >= ${start} AND "requestedAt" < ${end}`;
  const newAgreements = await db.$queryRaw<DailyCount[]>`
    SELECT to_char("signTime" AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS date, count(*)::int AS count
    FROM "Agreement" WHERE "signTime" >= ${start} AND "signTime" < ${end}
    GROUP BY 1 ORDER BY 1`;
  const endedAgreements = await db.$queryRaw<DailyCount[]>`
    WITH ended AS (
      SELECT coalesce(a."invalidTime", (SELECT max(e."createdAt") FROM "AgreementEvent" e
                                         WHERE e."agreementId" = a.id AND e."toStatus" = a.status)) AS at
      FROM "Agreement" a WHERE a.status::text = ANY(${END_STATES}) AND a."signTime" IS NOT NULL)
    SELECT to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS date, count(*)::int AS count
    FROM ended WHERE at >= ${start} AND at < ${end}
    GROUP BY 1 ORDER BY 1`;
  const [attention] = await db.$queryRaw<
    Array<{ pastDue: number; failed: number; mismatches: number; reconciliation: number }>
  >`
    SELECT (SELECT count(*) FROM "Charge" WHERE status = 'PAST_DUE')::int AS "pastDue",
      (SELECT count(*) FROM "Charge" WHERE status = 'FAILED')::int AS failed,
      (SELECT count(*) FROM "NotificationInbox" WHERE outcome = 'MISMATCH')::int AS mismatches,
      (SELECT count(*) FROM "ReconciliationDifference" d WHERE d."settledAt" IS NULL
         AND d."runId" = (SELECT id FROM "ReconciliationRun" ORDER BY "billDate" DESC LIMIT 1))::int AS reconciliation`;
  return {
    activeAgreements: agreements?.active ?? 0,
    mrr: agreements?.mrr ?? "0.00",
    charged: charged?.charged ?? "0.00",
    attemptsSucceeded: attempts?.succeeded ?? 0,
    attemptsFailed: attempts?.failed ?? 0,
    newAgreements,
    endedAgreements,
    pastDueCharges: attention?.pastDue ?? 0,
    failedCharges: attention?.failed ?? 0,
    notificationMismatches: attention?.mismatches ?? 0,
    reconciliationDifferences: attention?.reconciliation ?? 0,
  };
}
