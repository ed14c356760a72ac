import type pg from "pg";

/**
 * `work` on a client checked out of the pool for several statements (a transaction), with an `error` listener for as
 * long as it is out. pg emits `error` on a client whose connection breaks between two statements (PostgreSQL
 * restarted, a connection terminated), and pg-pool listens only to idle clients: without a listener the process
 * would crash. A client that broke is released with its error, so the pool drops it; `work`'s own next statement
 * fails, and that error is what the caller sees.
 */
export async function withPooledClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on("error", onError);
  try {
    return await work(client);
  } finally {
    client.removeListener("error", onError);
    client.release(broken);
  }
}
