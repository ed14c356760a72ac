import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import type { StatementBatchReport } from "./statement-batches.ts";

/**
 * The database as services and repositories see it: Prisma for most work, and the same `pg` pool (`sql`) for the
 * hot paths (notification ingestion, agreement creation) where Prisma costs a millisecond or more of CPU per
 * interactive transaction. Only repositories run queries on either, and each chooses its driver. Raw SQL there is
 * parameterised, each write a single statement (atomic without BEGIN/COMMIT), and statements are named so each
 * connection parses and plans them once.
 */
export type Database = {
  prisma: PrismaClient;
  sql: pg.Pool;
  /**
   * Hears of every batch of a batched hot-path statement (db/statement-batches.ts, wired in the repositories that batch):
   * logs a warning for a batch that failed as a whole, and hands every batch to `observeStatementBatch` (the metrics).
   */
  reportStatementBatch(batch: StatementBatchReport): void;
  /** Disconnects Prisma and ends the pool. */
  close(): Promise<void>;
};

/** Where pool errors go: the process logger, or `console` in tools and tests. */
export type PoolLogger = { warn(details: object, message: string): void };

/**
 * A Prisma client over one `pg.Pool` of `poolSize` connections (DATABASE_POOL_SIZE), with that pool exposed as
 * `sql`. An idle connection the server drops (a restart, a killed backend) is discarded by the pool, logged as a
 * warning and replaced on the next checkout (without a listener its 'error' event would end the process). Sessions
 * run in UTC. `observeStatementBatch` (the process's metrics) hears of every batch of a batched statement.
 */
export function createDatabase(options: {
  url: string;
  poolSize?: number;
  logger: PoolLogger;
  observeStatementBatch?: (batch: StatementBatchReport) => void;
}): Database {
  const sql = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    // Every session in UTC, whatever the database's or host's time zone: Prisma's pg adapter reads and writes
    // timestamptz correctly only there (in an Asia/Shanghai session its instants shift by 8 hours).
    options: "-c TimeZone=UTC",
  });
  sql.on("error", (error) => {
    // pg-pool hangs the failed client on the error: its socket, type parsers and statements are kilobytes of noise.
    Reflect.deleteProperty(error, "client");
    options.logger.warn({ err: error }, "database: an idle pooled connection failed; the pool replaces it");
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(sql) });
  return {
    prisma,
    sql,
    reportStatementBatch(batch) {
      // The error's code and message only: a data error's detail can quote the batch's rows, and each item that then
      // fails alone is logged with its own error where it is handled.
      if (batch.error)
        options.logger.warn(
          { statement: batch.statement, size: batch.size, code: errorCodeOf(batch.error), error: batch.error.message },
          `database: a batch of ${batch.size} ${batch.statement} statements failed as a whole; ` +
            "each was run again alone, and only an item that failed alone failed",
        );
      try {
        options.observeStatementBatch?.(batch);
      } catch (error) {
        options.logger.warn({ err: error, statement: batch.statement }, "metrics: a statement batch was not recorded");
      }
    },
    async close() {
      try {
        await prisma.$disconnect();
      } finally {
        if (!sql.ended) await sql.end();
      }
    },
  };
}

/** Readiness: the database answers a trivial query within the timeout. */
export async function pingDatabase(db: Database, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const query = db.sql.query("SELECT 1").then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A PostgreSQL error's SQLSTATE (`55P03`), or undefined for another error. */
function errorCodeOf(error: Error): string | undefined {
  const code: unknown = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}
