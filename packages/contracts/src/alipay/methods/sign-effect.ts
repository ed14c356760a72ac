import { z } from "zod";
import { ALIPAY_AGREEMENT_STATUSES } from "../../domain/alipay-agreement-status.ts";
import { alipayDateTimeSchema } from "../../wire-formats.ts";
import { gatewayResultSchema } from "../common.ts";
import { agreementLocatorShape, refineAgreementLocator } from "./agreement-query.ts";

/** `biz_content` of `alipay.user.agreement.sign.effect`: turns a TEMP (NOTICE) agreement NORMAL (docs/alipay-protocol.md §4). */
export const signEffectBizContentSchema = z.looseObject(agreementLocatorShape).superRefine(refineAgreementLocator);
export type SignEffectBizContent = z.infer<typeof signEffectBizContentSchema>;

/** Answer of sign.effect (§4). `pricipal_type` is Alipay's own spelling. */
export const signEffectResponseSchema = gatewayResultSchema.extend({
  agreement_no: z.string().optional(),
  alipay_logon_id: z.string().optional(),
  device_id: z.string().optional(),
  external_agreement_no: z.string().optional(),
  external_logon_id: z.string().optional(),
  invalid_time: alipayDateTimeSchema.optional(),
  personal_product_code: z.string().optional(),
  pricipal_type: z.string().optional(),
  principal_id: z.string().optional(),
  principal_open_id: z.string().optional(),
  sign_scene: z.string().optional(),
  sign_time: alipayDateTimeSchema.optional(),
  status: z.enum(ALIPAY_AGREEMENT_STATUSES).optional(),
  third_party_type: z.string().optional(),
  valid_time: alipayDateTimeSchema.optional(),
  zm_open_id: z.string().optional(),
});
export type SignEffectResponse = z.infer<typeof signEffectResponseSchema>;
