import { z } from "zod";
import { ALIPAY_AGREEMENT_STATUSES } from "../../domain/alipay-agreement-status.ts";
import { alipayDateTimeSchema } from "../../wire-formats.ts";
import { DEFAULT_SIGN_SCENE } from "../constants.ts";
import { externalAgreementNoSchema, gatewayResultSchema, signSceneSchema, thirdPartyTypeSchema } from "../common.ts";
import { alipayDateOrDateTimeSchema } from "../wire-values.ts";

/** Who the agreement belongs to, as query / unsign / sign.effect identify it (docs/alipay-protocol.md §4–§6). */
export const agreementLocatorShape = {
  agreement_no: z.string().max(64).optional(),
  personal_product_code: z.string().max(64).optional(),
  alipay_user_id: z.string().max(32).optional(),
  alipay_open_id: z.string().optional(),
  alipay_logon_id: z.string().max(100).optional(),
  sign_scene: signSceneSchema.optional(),
  external_agreement_no: externalAgreementNoSchema.optional(),
  third_party_type: thirdPartyTypeSchema.optional(),
};

type Locator = { agreement_no?: string | undefined; external_agreement_no?: string | undefined; sign_scene?: string };

/** agreement_no wins when present; otherwise external_agreement_no needs its INDUSTRY sign_scene (§5, §6). */
export function refineAgreementLocator(locator: Locator, ctx: z.RefinementCtx): void {
  if (locator.agreement_no !== undefined) return;
  if (locator.external_agreement_no === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["agreement_no"],
      message: "pass agreement_no, or external_agreement_no with personal_product_code and sign_scene",
    });
    return;
  }
  if ((locator.sign_scene ?? DEFAULT_SIGN_SCENE) === DEFAULT_SIGN_SCENE) {
    ctx.addIssue({
      code: "custom",
      path: ["sign_scene"],
      message: "sign_scene (INDUSTRY|XXX, as at signing) is required with external_agreement_no",
    });
  }
}

/** `biz_content` of `alipay.user.agreement.query` (§5). */
export const agreementQueryBizContentSchema = z.looseObject(agreementLocatorShape).superRefine(refineAgreementLocator);
export type AgreementQueryBizContent = z.infer<typeof agreementQueryBizContentSchema>;

/** Answer of `alipay.user.agreement.query` (§5). */
export const agreementQueryResponseSchema = gatewayResultSchema.extend({
  agreement_no: z.string().optional(),
  alipay_logon_id: z.string().optional(),
  credit_auth_mode: z.string().optional(),
  device_id: z.string().optional(),
  execution_plans: z.array(z.record(z.string(), z.unknown())).optional(),
  external_agreement_no: z.string().optional(),
  external_logon_id: z.string().optional(),
  invalid_time: alipayDateTimeSchema.optional(),
  valid_time: alipayDateTimeSchema.optional(),
  sign_time: alipayDateTimeSchema.optional(),
  last_deduct_time: alipayDateOrDateTimeSchema.optional(),
  next_deduct_time: alipayDateOrDateTimeSchema.optional(),
  personal_product_code: z.string().optional(),
  pricipal_type: z.string().optional(),
  principal_id: z.string().optional(),
  principal_open_id: z.string().optional(),
  sign_scene: z.string().optional(),
  single_quota: z.string().optional(),
  status: z.enum(ALIPAY_AGREEMENT_STATUSES).optional(),
  third_party_type: z.string().optional(),
  zm_open_id: z.string().optional(),
});
export type AgreementQueryResponse = z.infer<typeof agreementQueryResponseSchema>;
