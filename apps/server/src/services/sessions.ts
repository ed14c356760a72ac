import { randomUUID } from "node:crypto";
import { oauthTokenResponseSchema } from "@paysign/contracts/alipay";
import { AppError } from "../errors.ts";
import type { Customer } from "../generated/prisma/client.ts";
import { findSessionVersion, raiseSessionVersion } from "../repositories/session-versions.ts";
import { isUniqueViolation } from "../repositories/unique-violation.ts";
import type { ServiceDeps } from "./deps.ts";
import { requireAlipay } from "./require-alipay.ts";
import type { SessionTokens } from "./session-tokens.ts";

/** `my.getAuthCode` → `alipay.system.oauth.token` → the customer (by user id or open id) → a session token. */
export async function createSession(
  deps: ServiceDeps & { sessions: SessionTokens },
  authCode: string,
): Promise<{ token: string; expiresAt: Date; customer: Customer }> {
  const result = await requireAlipay(deps).call("alipay.system.oauth.token", {}, { authCode });
  if (result.outcome !== "success") {
    if (result.outcome === "definitive") {
      throw new AppError(
        "UNAUTHORIZED",
        `Alipay refused the auth code (${result.subCode ?? result.code}): call my.getAuthCode again; a code works once.`,
      );
    }
    throw new AppError("ALIPAY_UNAVAILABLE", "Alipay did not answer the sign-in; retry in a moment.");
  }
  const answer = oauthTokenResponseSchema.safeParse(result.response);
  const userId = answer.success ? answer.data.user_id : undefined;
  const openId = answer.success ? answer.data.open_id : undefined;
  if (!userId && !openId) throw new AppError("ALIPAY_UNAVAILABLE", "Alipay answered the sign-in without a user id.");

  const customer = await findOrCreateCustomer(deps, userId, openId);
  const { token, expiresAt } = await deps.sessions.issue(customer.id, customer.sessionVersion);
  return { token, expiresAt, customer };
}

/** The customer for an Alipay user; two first sign-ins at once both end with the one row. */
async function findOrCreateCustomer(deps: ServiceDeps, userId: string | undefined, openId: string | undefined) {
  const where = userId ? { alipayUserId: userId } : { alipayOpenId: openId ?? "" };
  const existing = await deps.db.prisma.customer.findUnique({ where });
  if (existing) return existing;
  try {
    return await deps.db.prisma.customer.create({
      data: { id: randomUUID(), alipayUserId: userId ?? null, alipayOpenId: openId ?? null },
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      return deps.db.prisma.customer.findUniqueOrThrow({ where });
    }
    throw error;
  }
}

const uuidFormat = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The current session version of a customer (undefined when the customer is gone): tokens must carry it. */
export function getSessionVersion(deps: Pick<ServiceDeps, "db">, customerId: string): Promise<number | undefined> {
  if (!uuidFormat.test(customerId)) return Promise.resolve(undefined);
  return findSessionVersion(deps.db.prisma, customerId);
}

/** Ends every session token of a customer issued so far (SECURITY.md): they sign in again with my.getAuthCode. */
export function revokeSessions(deps: Pick<ServiceDeps, "db">, customerId: string): Promise<void> {
  return raiseSessionVersion(deps.db.prisma, customerId);
}
