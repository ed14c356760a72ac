import { z } from "zod";
import { alipayDateTimeSchema } from "../../wire-formats.ts";
import { gatewayResultSchema } from "../common.ts";
import { wireIntegerSchema } from "../wire-values.ts";

/**
 * `alipay.system.oauth.token` takes no biz_content: `grant_type` and `code` (or `refresh_token`) are common-level
 * parameters, signed with the rest. Failures come back under `error_response` (docs/alipay-protocol.md §1.5).
 */
export const oauthTokenParamsSchema = z.discriminatedUnion("grant_type", [
  z.looseObject({ grant_type: z.literal("authorization_code"), code: z.string().min(1) }),
  z.looseObject({ grant_type: z.literal("refresh_token"), refresh_token: z.string().min(1) }),
]);
export type OauthTokenParams = z.infer<typeof oauthTokenParamsSchema>;

/**
 * Answer of oauth.token: `user_id` (2088…) for classic apps, `open_id` for open-id apps. Its success answer is known
 * to come without `code`/`msg` [UNCERTAIN], so both are optional here; failures carry them under `error_response`.
 * `expires_in` / `re_expires_in` (seconds) have been seen both as numbers and as digit strings.
 */
export const oauthTokenResponseSchema = gatewayResultSchema.extend({
  code: z.string().optional(),
  msg: z.string().optional(),
  user_id: z.string().optional(),
  open_id: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: wireIntegerSchema.optional(),
  refresh_token: z.string().optional(),
  re_expires_in: wireIntegerSchema.optional(),
  auth_start: alipayDateTimeSchema.optional(),
});
export type OauthTokenResponse = z.infer<typeof oauthTokenResponseSchema>;
