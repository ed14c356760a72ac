import { createVerifier } from "fast-jwt";
import { SignJWT } from "jose";
import type { Clock } from "../clock.ts";

export type SessionTokens = {
  /** `version` is the customer's session version (sessions.ts revokeSessions raises it). */
  issue(customerId: string, version?: number): Promise<{ token: string; expiresAt: Date }>;
  /** The customer id, or undefined for a tampered, foreign, expired or revoked token. */
  verify(token: string): Promise<string | undefined>;
};

const issuer = "paysign";
const audience = "paysign-customer";

/**
 * HS256 tokens whose expiry follows the injected clock (the sandbox's simulated time in development). A token must
 * carry `sub`, `exp`, `iat` and `ver`; with `currentVersion`, a token whose `ver` is not the customer's current
 * session version (or whose customer is gone) is refused, so raising the version revokes every earlier token.
 */
export function createSessionTokens(options: {
  secret: string;
  ttlSeconds: number;
  clock: Clock;
  currentVersion?: (customerId: string) => Promise<number | undefined>;
}): SessionTokens {
  const key = new TextEncoder().encode(options.secret);
  const verifierOptions = {
    key: Buffer.from(key),
    algorithms: ["HS256" as const],
    allowedIss: issuer,
    allowedAud: audience,
    requiredClaims: ["sub", "exp", "iat", "ver"],
    // A token lives ttlSeconds from its iat whatever its exp says (at most 7 days, env.ts).
    maxAge: options.ttlSeconds * 1000,
  };
  return {
    async issue(customerId, version = 0) {
      const now = await options.clock.now();
      const issuedAt = Math.floor(now.getTime() / 1000);
      const expiresAt = new Date((issuedAt + options.ttlSeconds) * 1000);
      const token = await new SignJWT({ ver: version })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(customerId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + options.ttlSeconds)
        .sign(key);
      return { token, expiresAt };
    },
    async verify(token) {
      const now = (await options.clock.now()).getTime();
      let payload: { sub?: unknown; ver?: unknown; iat?: unknown };
      try {
        // fast-jwt verifies synchronously (node:crypto HMAC; jose's WebCrypto one is a promise per request). Its clock
        // is fixed when a verifier is made, so one is made per call on the injected clock; it still accepts a token at
        // the instant of its exp, which RFC 7519 section 4.1.4 refuses, hence one millisecond later.
        payload = createVerifier({ ...verifierOptions, clockTimestamp: now + 1 })(token) as typeof payload;
      } catch {
        return undefined;
      }
      // Not issued after the clock's now (fast-jwt has no such check).
      if (typeof payload.iat !== "number" || payload.iat > Math.floor(now / 1000)) return undefined;
      const { sub, ver } = payload;
      if (typeof sub !== "string" || typeof ver !== "number") return undefined;
      if (options.currentVersion && (await options.currentVersion(sub)) !== ver) return undefined;
      return sub;
    },
  };
}
