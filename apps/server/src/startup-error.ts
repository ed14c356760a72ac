/** A start-up failure the operator fixes (a port, the database URL): printed as its message, never as a stack. */
export class StartupError extends Error {
  override name = "StartupError";
}

type PgLikeError = { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length > 0 && seen < 12; seen++) {
    const candidate = queue.shift() as PgLikeError | null | undefined;
    if (!candidate || typeof candidate !== "object") continue;
    if (typeof candidate.code === "string") codes.push(candidate.code);
    queue.push(candidate.cause);
    // AggregateError: one error per address tried (IPv4 and IPv6 of `localhost`).
    if (Array.isArray(candidate.errors)) queue.push(...(candidate.errors as unknown[]));
  }
  return codes;
}

/** The URL's parts worth naming, never its password. */
function describeUrl(url: string): { where: string; user: string; database: string } {
  try {
    const parsed = new URL(url);
    return {
      where: `${parsed.hostname || "localhost"}:${parsed.port || "5432"}`,
      user: decodeURIComponent(parsed.username) || "(none)",
      database: decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "(the user's name)",
    };
  } catch {
    return { where: "(unreadable URL)", user: "(unknown)", database: "(unknown)" };
  }
}

/**
 * Turns the first connection's failure into what to check in DATABASE_URL: unreachable, authentication failed or
 * database missing. Anything else is returned unchanged.
 */
export function explainDatabaseError(error: unknown, databaseUrl: string): unknown {
  const codes = codesOf(error);
  const { where, user, database } = describeUrl(databaseUrl);
  const has = (...wanted: string[]) => codes.some((code) => wanted.includes(code));
  if (has("ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH")) {
    return new StartupError(
      `PostgreSQL cannot be reached at ${where} (${codes.join(", ")}): check the host and port in DATABASE_URL, ` +
        `that PostgreSQL is running there and that it accepts connections from this machine (listen_addresses, ` +
        `firewall).`,
      { cause: error },
    );
  }
  if (has("28P01", "28000")) {
    return new StartupError(
      `PostgreSQL at ${where} refused user "${user}" (authentication failed): check the user name and password in ` +
        `DATABASE_URL (a password with @, : or / must be percent-encoded) and pg_hba.conf.`,
      { cause: error },
    );
  }
  if (has("3D000")) {
    return new StartupError(
      `PostgreSQL at ${where} has no database "${database}": create it (createdb ${database}, or CREATE DATABASE) ` +
        `or fix the database name at the end of DATABASE_URL.`,
      { cause: error },
    );
  }
  return error;
}
