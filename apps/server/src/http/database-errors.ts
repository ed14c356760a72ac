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

/** True for errors that mean "the database cannot be reached right now", however deep the driver wrapped them. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 6; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof candidate.code === "string" && (connectionCodes.has(candidate.code) || candidate.code === "P1001"))
      return true;
    if (
      typeof candidate.message === "string" &&
      /connect|Connection terminated|timeout exceeded when trying to connect/i.test(candidate.message)
    )
      return true;
    current = candidate.cause;
  }
  return false;
}
