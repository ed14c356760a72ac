import type pg from "pg";

/**
 * Raw parameterised SQL on the pool Prisma also uses (`db.sql`), for the hot paths where Prisma's per-query
 * CPU dominates. Each write there is a single statement (atomic without BEGIN/COMMIT), and statements are named so
 * each connection parses and plans them once.
 */
export type SqlPool = pg.Pool;
