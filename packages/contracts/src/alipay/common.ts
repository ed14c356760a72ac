import { z } from "zod";
import { alipayDateTimeSchema } from "../wire-formats.ts";
import {
  DEFAULT_SIGN_SCENE,
  EXTERNAL_AGREEMENT_NO_PATTERN,
  INDUSTRY_SIGN_SCENE_PATTERN,
  OUT_TRADE_NO_PATTERN,
  SIGN_SCENE_MAX_LENGTH,
  SIGN_TYPES,
  THIRD_PARTY_TYPES,
} from "./constants.ts";

/** `INDUSTRY|XXX`, or Alipay's default `DEFAULT|DEFAULT` (docs/alipay-protocol.md §2.1). */
export const signSceneSchema = z
  .string()
  .max(SIGN_SCENE_MAX_LENGTH)
  .refine(
    (value) => value === DEFAULT_SIGN_SCENE || INDUSTRY_SIGN_SCENE_PATTERN.test(value),
    'write the sign scene as INDUSTRY|XXX, e.g. "INDUSTRY|DIGITAL_MEDIA"',
  );

/** A sign scene usable with `external_agreement_no`: `INDUSTRY|XXX` only. */
export const industrySignSceneSchema = z
  .string()
  .max(SIGN_SCENE_MAX_LENGTH)
  .regex(INDUSTRY_SIGN_SCENE_PATTERN, 'write the sign scene as INDUSTRY|XXX, e.g. "INDUSTRY|DIGITAL_MEDIA"')
  .meta({ example: "INDUSTRY|DIGITAL_MEDIA" });

export const externalAgreementNoSchema = z
  .string()
  .regex(EXTERNAL_AGREEMENT_NO_PATTERN, "1 to 32 letters and digits")
  .meta({ example: "SUB20240101A0001" });

export const outTradeNoSchema = z.string().regex(OUT_TRADE_NO_PATTERN, "1 to 64 letters, digits and underscores");

/** `2088` + 12 digits (§2.6). */
export const alipayUserIdSchema = z.string().regex(/^2088[0-9]{12}$/, "an Alipay user id is 2088 and 12 digits");

export const thirdPartyTypeSchema = z.enum(THIRD_PARTY_TYPES);

/**
 * Common request parameters (§1.2), all strings as sent in the query and form body. Unknown keys are kept: they
 * are signed too.
 */
export const commonRequestParamsSchema = z.looseObject({
  app_id: z.string().min(1).max(32),
  method: z.string().min(1).max(128),
  format: z.string().max(40).optional(),
  return_url: z.string().max(256).optional(),
  charset: z.string().min(1).max(10),
  sign_type: z.enum(SIGN_TYPES),
  sign: z.string().min(1),
  timestamp: alipayDateTimeSchema,
  version: z.literal("1.0"),
  notify_url: z.string().max(256).optional(),
  app_auth_token: z.string().max(40).optional(),
  biz_content: z.string().optional(),
  app_cert_sn: z.string().optional(),
  alipay_root_cert_sn: z.string().optional(),
  alipay_sdk: z.string().optional(),
});
export type CommonRequestParams = z.infer<typeof commonRequestParamsSchema>;

/** What every `<method>_response` object holds (§1.5); business fields come only with code 10000. */
export const gatewayResultSchema = z.looseObject({
  code: z.string(),
  msg: z.string(),
  sub_code: z.string().optional(),
  sub_msg: z.string().optional(),
});
export type GatewayResult = z.infer<typeof gatewayResultSchema>;
