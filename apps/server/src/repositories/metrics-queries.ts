import type { Clock } from "../clock.ts";
import type { Database } from "../db/prisma.ts";
import type { DatabaseGauges } from "../metrics/metrics.ts";

/** The database side of /metrics: pg-boss' job table (schema `pgboss`), follow-ups and charges. */
export function createDatabaseGauges(input: { db: Database; clock: Clock; queues: string[] }): DatabaseGauges {
  const { prisma } = input.db;
  return {
    async jobs() {
      const rows = await prisma.$queryRaw<
        Array<{ queue: string; state: string; count: number; oldest: number | null }>
      >`
        SELECT name AS queue, state::text AS state, count(*)::int AS count,
          extract(epoch FROM now() - min(start_after) FILTER (WHERE start_after <= now()))::float8 AS oldest
        FROM pgboss.job
        WHERE name = ANY(${input.queues}) AND state IN ('created', 'retry', 'active')
        GROUP BY name, state`;
      return rows.map((row) => ({ queue: row.queue, state: row.state, count: row.count, oldestSeconds: row.oldest }));
    },
    async followUps() {
      const now = await input.clock.now();
      const [row] = await prisma.$queryRaw<Array<{ pending: number; due: number }>>`
        SELECT count(*)::int AS pending, (count(*) FILTER (WHERE "nextFollowUpAt" <= ${now}))::int AS due
        FROM "Agreement" WHERE status = 'PENDING'`;
      return row ?? { pending: 0, due: 0 };
    },
    charges() {
      return prisma.$queryRaw<Array<{ status: string; count: number }>>`
        SELECT status::text AS status, count(*)::int AS count FROM "Charge" GROUP BY status`;
    },
  };
}
