import type { Request } from "express";
import type { SessionTokens } from "../services/session-tokens.ts";

const verified = new WeakMap<Request, Promise<string | undefined>>();

/** The bearer token of a request, verified once per request (the per-customer limit and the route both ask). */
export function verifyRequestSession(
  req: Request,
  sessions: SessionTokens,
  token: string,
): Promise<string | undefined> {
  const known = verified.get(req);
  if (known) return known;
  const pending = sessions.verify(token);
  verified.set(req, pending);
  return pending;
}
