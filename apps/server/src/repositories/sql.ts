import type pg from "pg";

/**
 * Raw parameterised SQL on the pool Prisma also uses (`sqlPool(db)`), for the hot paths where Prisma's per-query
 * CPU dominates. Statements are named so each connection parses and plans them once.
 */
export type SqlPool = pg.Pool;
export type SqlClient = pg.PoolClient;

/**
 * Runs `work` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. Statements
 * inside run one after another (never two at once on the connection). A connection whose ROLLBACK fails is
 * discarded instead of going back to the pool.
 */
export async function inSqlTransaction<T>(pool: SqlPool, work: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN").catch((error: unknown) => {
      // The connection is not usable: discard it.
      broken = asError(error);
      throw error;
    });
    try {
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: unknown) => {
        broken = asError(rollbackError);
      });
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
