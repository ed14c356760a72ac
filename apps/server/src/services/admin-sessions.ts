import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** How long a console session lasts: one working day. */
export const ADMIN_SESSION_TTL_SECONDS = 8 * 3600;

export type AdminSessions = {
  /** A new session token and the instant it expires. */
  issue(): { token: string; expiresAt: Date };
  /** The expiry of a valid, unexpired token; undefined otherwise. */
  verify(token: string): Date | undefined;
};

/**
 * The console's session tokens: `<expiry ms>.<HMAC-SHA256>` keyed by SESSION_SECRET over the expiry and a digest of
 * the admin key, so changing either key ends every session. Stateless: signing out clears the cookie, and a copy of it stays
 * valid until its expiry (SECURITY.md); only the admin key buys one (routes/admin-console-routes.ts).
 * Expiry runs on real time (`now`), not the business clock that tests and the sandbox move by years.
 */
export function createAdminSessions(options: {
  sessionSecret: string;
  adminApiKey: string;
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
    verify(token) {
      const match = /^(\d{13})\.([\w-]{43})$/.exec(token);
      if (!match?.[1] || !match[2]) return undefined;
      const expiresMs = Number(match[1]);
      const expected = Buffer.from(mac(expiresMs));
      const presented = Buffer.from(match[2]);
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
      return expiresMs > now() ? new Date(expiresMs) : undefined;
    },
  };
}
