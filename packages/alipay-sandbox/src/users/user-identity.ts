import { createHash } from "node:crypto";
import type { SandboxConfig } from "../config.ts";
import type { SandboxState } from "../state/types.ts";

/**
 * How an app knows its users (docs/alipay-protocol.md §19.1): `user_id` (the `2088…` number, apps created before
 * Alipay's user-id upgrade) or `open_id` (one id per user and app, apps created since).
 */
export type UserIdType = "user_id" | "open_id";

export const USER_ID_TYPES = ["user_id", "open_id"] as const satisfies readonly UserIdType[];

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * The user's open id for one app: stable, different per app, 46 letters and digits. The length and alphabet follow
 * observed open ids; the derivation is the sandbox's own (§19.1 [uncertain]).
 */
export function openIdFor(appId: string, userId: string): string {
  let value = BigInt(`0x${createHash("sha256").update(`${appId}:${userId}`).digest("hex")}`);
  let text = "";
  while (text.length < 44) {
    text = (BASE62[Number(value % 62n)] ?? "0") + text;
    value /= 62n;
  }
  return `07${text}`;
}

export function userIdTypeOf(config: SandboxConfig, appId: string): UserIdType {
  return config.apps.get(appId)?.app.userIdType ?? "user_id";
}

/**
 * The one field that names the user, under the app's kind of id: `{ [names.userId]: 2088… }` for a user-id app,
 * `{ [names.openId]: open id }` for an open-id app (§19.1: every user field follows the app's setting).
 */
export function userFields(
  identity: { userIdType: UserIdType; appId: string; userId: string },
  names: { userId: string; openId: string },
): Record<string, string> {
  return identity.userIdType === "open_id"
    ? { [names.openId]: openIdFor(identity.appId, identity.userId) }
    : { [names.userId]: identity.userId };
}

/** The sandbox user behind an app's open id, if any. */
export function findUserIdByOpenId(state: SandboxState, appId: string, openId: string): string | undefined {
  return Object.keys(state.users).find((userId) => openIdFor(appId, userId) === openId);
}
