import type { Request, RequestHandler } from "express";
import { rateLimit, type Options } from "express-rate-limit";
import type { Config } from "../env.ts";
import type { Logger } from "../logger.ts";
import type { SessionTokens } from "../services/session-tokens.ts";
import { sendError } from "./error-handler.ts";
import { verifyRequestSession } from "./request-session.ts";

const minute = 60_000;
const adminFailureWindowMs = 15 * minute;

// X-Forwarded-For is believed only as far as TRUST_PROXY says (app.ts); its presence without a trusted proxy is
// expected from clients that try to pick their own address, not a misconfiguration to warn about.
const shared: Partial<Options> = {
  standardHeaders: "draft-8",
  legacyHeaders: false,
  validate: { xForwardedForHeader: false },
};

/** Per client address on /api/v1 (RATE_LIMIT_PER_MINUTE). */
export function addressRateLimit(config: Config): RequestHandler {
  return rateLimit({
    ...shared,
    windowMs: minute,
    limit: config.rateLimitPerMinute,
    handler: (req, res) =>
      sendError(req, res, { code: "RATE_LIMITED", message: "Too many requests; wait a minute and retry." }),
  });
}

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  return typeof header === "string" ? /^Bearer (\S+)$/.exec(header)?.[1] : undefined;
}

/**
 * Per signed-in customer on /api/v1 (CUSTOMER_RATE_LIMIT_PER_MINUTE), whichever addresses they use. Only a token
 * that verifies counts, so nobody can spend another customer's allowance; requests without one are left to the
 * address limit and the 401 of the route.
 */
export function customerRateLimit(config: Config, sessions: SessionTokens): RequestHandler {
  const customerOf = async (req: Request): Promise<string | undefined> => {
    const token = bearerToken(req);
    return token ? verifyRequestSession(req, sessions, token) : undefined;
  };
  return rateLimit({
    ...shared,
    windowMs: minute,
    limit: config.customerRateLimitPerMinute,
    skip: async (req) => (await customerOf(req)) === undefined,
    keyGenerator: async (req) => `customer:${(await customerOf(req)) ?? ""}`,
    handler: (req, res) =>
      sendError(req, res, {
        code: "RATE_LIMITED",
        message: "Too many requests for this customer; wait a minute and retry.",
      }),
  });
}

/**
 * Admin routes: every 401 is logged, and a client address that sent ADMIN_AUTH_FAILURE_LIMIT wrong keys within 15
 * minutes is refused on every admin route — the right key included — until the window passes.
 */
export function adminAuthFailureLimit(config: Config, logger: Logger): RequestHandler[] {
  const logFailures: RequestHandler = (req, res, next) => {
    res.on("finish", () => {
      if (res.statusCode === 401)
        logger.warn({ requestId: req.id, ip: req.ip, path: req.path }, "admin authentication failed");
    });
    next();
  };
  const limiter = rateLimit({
    ...shared,
    windowMs: adminFailureWindowMs,
    limit: config.adminAuthFailureLimit,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    handler: (req, res) => {
      logger.warn({ requestId: req.id, ip: req.ip, path: req.path }, "admin routes locked: too many wrong keys");
      sendError(req, res, {
        code: "RATE_LIMITED",
        message: "Too many wrong admin keys from this address; wait 15 minutes.",
      });
    },
  });
  return [logFailures, limiter];
}
