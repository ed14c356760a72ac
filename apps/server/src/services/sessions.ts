import { randomUUID } from "node:crypto";
import { AppError } from "../errors.ts";
import type { Customer } from "../generated/prisma/client.ts";
import { findCustomer, insertCustomer, type CustomerLocator } from "../repositories/customers.ts";
import { findSessionVersion, raiseSessionVersion } from "../repositories/session-versions.ts";
import { isUniqueViolation } from "../repositories/unique-violation.ts";
import type { ServiceDeps } from "./deps.ts";
import { refuseOnMerchantConfiguration } from "./merchant-configuration.ts";
import { requireAlipay } from "./require-alipay.ts";
import type { SessionTokens } from "./session-tokens.ts";

/** `my.getAuthCode` → `alipay.system.oauth.token` → the customer (by user id or open id) → a session token. */
export async function createSession(
  deps: ServiceDeps & { sessions: SessionTokens },
  authCode: string,
): Promise<{ token: string; expiresAt: Date; customer: Customer }> {
  const result = await requireAlipay(deps).call("alipay.system.oauth.token", {
    grant_type: "authorization_code",
    code: authCode,
  });
  if (result.kind !== "success") {
    refuseOnMerchantConfiguration("alipay.system.oauth.token", result);
    if (result.kind === "business-failure" && result.class === "definitive") {
      throw new AppError(
        "UNAUTHORIZED",
        `Alipay refused the auth code (${result.subCode ?? result.code}): call my.getAuthCode again; a code works once.`,
      );
    }
    throw new AppError("ALIPAY_UNAVAILABLE", "Alipay did not answer the sign-in; retry in a moment.");
  }
  const { user_id: userId, open_id: openId } = result.response;
  if (!userId && !openId) throw new AppError("ALIPAY_UNAVAILABLE", "Alipay answered the sign-in without a user id.");

  const customer = await findOrCreateCustomer(deps, userId, openId);
  const { token, expiresAt } = await deps.sessions.issue(customer.id, customer.sessionVersion);
  return { token, expiresAt, customer };
}

/** The customer for an Alipay user; two first sign-ins at once both end with the one row. */
async function findOrCreateCustomer(deps: ServiceDeps, userId: string | undefined, openId: string | undefined) {
  const where: CustomerLocator = userId ? { alipayUserId: userId } : { alipayOpenId: openId ?? "" };
  const existing = await findCustomer(deps.db.prisma, where);
  if (existing) return existing;
  try {
    return await insertCustomer(deps.db.prisma, {
      id: randomUUID(),
      alipayUserId: userId ?? null,
      alipayOpenId: openId ?? null,
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await findCustomer(deps.db.prisma, where);
    if (!winner) throw error;
    return winner;
  }
}

const uuidFormat = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The current session version of a customer (undefined when the customer is gone): tokens must carry it. */
export function getSessionVersion(deps: Pick<ServiceDeps, "db">, customerId: string): Promise<number | undefined> {
  if (!uuidFormat.test(customerId)) return Promise.resolve(undefined);
  return findSessionVersion(deps.db, customerId);
}

/** Ends every session token of a customer issued so far (SECURITY.md): they sign in again with my.getAuthCode. */
export function revokeSessions(deps: Pick<ServiceDeps, "db">, customerId: string): Promise<void> {
  return raiseSessionVersion(deps.db.prisma, customerId);
}
