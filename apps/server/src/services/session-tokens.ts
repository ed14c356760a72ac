import { jwtVerify, SignJWT } from "jose";
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
      let payload;
      try {
        ({ payload } = await jwtVerify(token, key, {
          issuer,
          audience,
          algorithms: ["HS256"],
          requiredClaims: ["sub", "exp", "iat", "ver"],
          // A token lives ttlSeconds from its iat whatever its exp says (at most 7 days, env.ts).
          maxTokenAge: options.ttlSeconds,
          currentDate: await options.clock.now(),
        }));
      } catch {
        return undefined;
      }
      const { sub, ver } = payload;
      if (typeof sub !== "string" || typeof ver !== "number") return undefined;
      if (options.currentVersion && (await options.currentVersion(sub)) !== ver) return undefined;
      return sub;
    },
  };
}
