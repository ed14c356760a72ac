import { jwtVerify, SignJWT } from "jose";
import type { Clock } from "../clock.ts";

export type SessionTokens = {
  issue(customerId: string): Promise<{ token: string; expiresAt: Date }>;
  /** The customer id, or undefined for a tampered, foreign or expired token. */
  verify(token: string): Promise<string | undefined>;
};

const issuer = "paysign";
const audience = "paysign-customer";

/** HS256 tokens whose expiry follows the injected clock (the sandbox's simulated time in development). */
export function createSessionTokens(options: { secret: string; ttlSeconds: number; clock: Clock }): SessionTokens {
  const key = new TextEncoder().encode(options.secret);
  return {
    async issue(customerId) {
      const now = await options.clock.now();
      const issuedAt = Math.floor(now.getTime() / 1000);
      const expiresAt = new Date((issuedAt + options.ttlSeconds) * 1000);
      const token = await new SignJWT({})
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
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer,
          audience,
          algorithms: ["HS256"],
          currentDate: await options.clock.now(),
        });
        return payload.sub;
      } catch {
        return undefined;
      }
    },
  };
}
