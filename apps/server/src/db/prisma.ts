import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Database = PrismaClient;

/** The `pg` pool under each client made by createDatabaseClient: Prisma and the raw-SQL hot paths share it. */
const pools = new WeakMap<Database, pg.Pool>();

/**
 * A Prisma client over one `pg.Pool` (DATABASE_POOL_SIZE connections in all). The hot paths (notification
 * ingestion, agreement creation) run parameterised SQL on the same pool through `sqlPool(db)`; Prisma costs a
 * millisecond or more of CPU per interactive transaction there. `$disconnect()` also ends the pool.
 */
export function createDatabaseClient(options: { url: string; poolSize?: number }): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
  });
  // An idle connection the server drops (a restart, a killed backend) is discarded by the pool and replaced on the
  // next checkout; without a listener the 'error' event would end the process.
  pool.on("error", () => {});
  const db = new PrismaClient({ adapter: new PrismaPg(pool) });
  const disconnect = db.$disconnect.bind(db);
  db.$disconnect = async () => {
    try {
      await disconnect();
    } finally {
      if (!pool.ended) await pool.end();
    }
  };
  pools.set(db, pool);
  return db;
}

/** The `pg` pool of a client made by createDatabaseClient, for raw parameterised SQL next to Prisma. */
export function sqlPool(db: Database): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error("This database client was not made by createDatabaseClient: it has no pg pool.");
  return pool;
}

/** Readiness: the database answers a trivial query within the timeout. */
export async function pingDatabase(db: Database, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const query = db.$queryRaw`SELECT 1`.then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
