import { createHash, timingSafeEqual } from "node:crypto";
import type { Request } from "express";
import { AppError } from "../errors.ts";
import type { SessionTokens } from "../services/session-tokens.ts";
import { verifyRequestSession } from "./request-session.ts";

export type Authenticator = {
  /** The customer id of a valid, unexpired session token; 401 otherwise. */
  customer(req: Request): Promise<string>;
  /** 401 unless the admin key matches. */
  admin(req: Request): void;
};

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Whether a presented key is the admin key, compared in constant time (the admin API and GET /metrics). */
export function adminKeyMatcher(adminApiKey: string): (key: string) => boolean {
  const expected = digest(adminApiKey);
  return (key) => timingSafeEqual(digest(key), expected);
}

export function createAuthenticator(options: { sessions: SessionTokens; adminApiKey: string }): Authenticator {
  const isAdminKey = adminKeyMatcher(options.adminApiKey);
  return {
    async customer(req) {
      const header = req.headers.authorization;
      const match = typeof header === "string" ? /^Bearer (\S+)$/.exec(header) : null;
      if (!match?.[1]) throw new AppError("UNAUTHORIZED", "Sign in first: send Authorization: Bearer <session token>.");
      const customerId = await verifyRequestSession(req, options.sessions, match[1]);
      if (!customerId) throw new AppError("UNAUTHORIZED", "The session has expired or is invalid: sign in again.");
      return customerId;
    },
    admin(req) {
      const key = req.headers["x-admin-key"];
      if (typeof key !== "string" || key === "")
        throw new AppError("UNAUTHORIZED", "Send the admin key in x-admin-key.");
      if (!isAdminKey(key)) throw new AppError("UNAUTHORIZED", "The admin key is wrong.");
    },
  };
}
