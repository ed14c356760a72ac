const connectionCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "57P01",
  "57P03",
  "08006",
  "08001",
]);

type Wrapped = {
  code?: unknown;
  originalCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
};

/**
 * True for errors that mean "the database cannot be reached right now" — refused or lost connections, and a server
 * starting up or shutting down (57P03, 57P01) — however deep the driver and Prisma's adapter wrapped them.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length > 0 && seen < 12; seen++) {
    const candidate = queue.shift() as Wrapped | null | undefined;
    if (!candidate || typeof candidate !== "object") continue;
    for (const code of [candidate.code, candidate.originalCode]) {
      if (typeof code === "string" && (connectionCodes.has(code) || code === "P1001")) return true;
    }
    if (
      typeof candidate.message === "string" &&
      /connect|Connection terminated|timeout exceeded when trying to connect|database system is (starting up|shutting down)/i.test(
        candidate.message,
      )
    )
      return true;
    queue.push(candidate.cause, candidate.meta?.driverAdapterError);
  }
  return false;
}

/**
 * The SQLSTATE of a data exception (class 22: a value out of range for its column, a NUL byte in text, a string that
 * is not a uuid…) raised by PostgreSQL through Prisma's driver adapter; undefined for any other error.
 */
export function dataExceptionCodeOf(error: unknown): string | undefined {
  const meta = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } }).meta;
  const code = meta?.driverAdapterError?.cause?.originalCode;
  return typeof code === "string" && code.startsWith("22") ? code : undefined;
}

/**
 * True for PostgreSQL's lock_not_available (55P03) raised by a raw statement on the pool: a lock waited for longer than
 * its lock_timeout (the notification batch write's, prisma/migrations/20261224000060_…).
 */
export function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "55P03";
}
