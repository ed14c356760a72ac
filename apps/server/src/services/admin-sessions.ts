import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** How long a console session lasts: one working day. */
export const ADMIN_SESSION_TTL_SECONDS = 8 * 3600;

export type AdminSessions = {
  /** A new session token and the instant it expires. */
  issue(): { token: string; expiresAt: Date };
  /** The expiry of a valid, unexpired token that was not signed out; undefined otherwise. */
  verify(token: string): Promise<Date | undefined>;
  /** Signs a valid token out: refused from now until it expires. Nothing for an invalid or expired token. */
  revoke(token: string): Promise<void>;
};

/** Where signed-out tokens are kept (by SHA-256 digest, never the token) until they expire: the database. */
export type ConsoleSessionRevocations = {
  isRevoked(tokenDigest: string): Promise<boolean>;
  revoke(input: { tokenDigest: string; expiresAt: Date; now: Date }): Promise<void>;
};

/**
 * The console's session tokens: `<expiry ms>.<HMAC-SHA256>` keyed by SESSION_SECRET over the expiry and a digest of
 * the admin key, so changing either key ends every session. Signing out clears the cookie and records the
 * token's digest as revoked until it expires (`revocations`), so a copy of it is refused; only the admin key buys a
 * session (routes/admin-console-routes.ts).
 * Expiry runs on real time (`now`), not the business clock that tests and the sandbox move by years.
 */
export function createAdminSessions(options: {
  sessionSecret: string;
  adminApiKey: string;
  revocations: ConsoleSessionRevocations;
  now?: () => number;
}): AdminSessions {
  const now = options.now ?? Date.now;
  const keyDigest = createHash("sha256").update(options.adminApiKey).digest("hex");
  const mac = (expiresMs: number) =>
    createHmac("sha256", options.sessionSecret)
      .update(`paysign-admin-session:${expiresMs}:${keyDigest}`)
      .digest("base64url");
  return {
    issue() {
      const expiresMs = now() + ADMIN_SESSION_TTL_SECONDS * 1000;
      return { token: `${expiresMs}.${mac(expiresMs)}`, expiresAt: new Date(expiresMs) };
    },
    async verify(token) {
      const expiresAt = signedExpiry(token);
      if (!expiresAt) return undefined;
      return (await options.revocations.isRevoked(tokenDigest(token))) ? undefined : expiresAt;
    },
    async revoke(token) {
      const expiresAt = signedExpiry(token);
      if (expiresAt)
        await options.revocations.revoke({ tokenDigest: tokenDigest(token), expiresAt, now: new Date(now()) });
    },
  };

  /** The expiry of a well-signed, unexpired token; undefined otherwise. */
  function signedExpiry(token: string): Date | undefined {
    const match = /^(\d{13})\.([\w-]{43})$/.exec(token);
    if (!match?.[1] || !match[2]) return undefined;
    const expiresMs = Number(match[1]);
    const expected = Buffer.from(mac(expiresMs));
    const presented = Buffer.from(match[2]);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
    return expiresMs > now() ? new Date(expiresMs) : undefined;
  }
}

const tokenDigest = (token: string) => createHash("sha256").update(token).digest("hex");
