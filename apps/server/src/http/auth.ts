import { createHash, timingSafeEqual } from "node:crypto";
import { ADMIN_CSRF_HEADER, ADMIN_SESSION_COOKIE } from "@paysign/contracts";
import type { Request } from "express";
import { AppError } from "../errors.ts";
import type { AdminSessions } from "../services/admin-sessions.ts";
import type { SessionTokens } from "../services/session-tokens.ts";
import { verifyRequestSession } from "./request-session.ts";

export type Authenticator = {
  /** The customer id of a valid, unexpired session token; 401 otherwise. */
  customer(req: Request): Promise<string>;
  /**
   * The admin key (x-admin-key) or the console's session cookie; 401 unless one is valid, 403 for a state-changing
   * request made with the cookie but without the console's CSRF header.
   */
  admin(req: Request): Promise<AdminAuth>;
};

export type AdminAuth = { by: "key" } | { by: "cookie"; expiresAt: Date; token: string };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** One cookie's value from the Cookie header, or undefined. */
function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== "string") return undefined;
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Whether a presented key is the admin key, compared in constant time (the admin API and GET /metrics). */
export function adminKeyMatcher(adminApiKey: string): (key: string) => boolean {
  const expected = digest(adminApiKey);
  return (key) => timingSafeEqual(digest(key), expected);
}

export function createAuthenticator(options: {
  sessions: SessionTokens;
  adminApiKey: string;
  adminSessions: AdminSessions;
}): Authenticator {
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
      const cookie = readCookie(req, ADMIN_SESSION_COOKIE);
      if ((typeof key !== "string" || key === "") && cookie) return adminByCookie(req, cookie, options.adminSessions);
      if (typeof key !== "string" || key === "")
        throw new AppError("UNAUTHORIZED", "Send the admin key in x-admin-key.");
      if (!isAdminKey(key)) throw new AppError("UNAUTHORIZED", "The admin key is wrong.");
      return Promise.resolve({ by: "key" as const });
    },
  };
}

async function adminByCookie(req: Request, cookie: string, sessions: AdminSessions): Promise<AdminAuth> {
  const expiresAt = await sessions.verify(cookie);
  if (!expiresAt) throw new AppError("UNAUTHORIZED", "The console session has expired or is invalid: sign in again.");
  if (!SAFE_METHODS.has(req.method) && req.headers[ADMIN_CSRF_HEADER] !== "1") {
    throw new AppError("FORBIDDEN", `Requests that change something must send ${ADMIN_CSRF_HEADER}: 1.`);
  }
  return { by: "cookie", expiresAt, token: cookie };
}
