import { z } from "zod";
import { gatewayResultSchema } from "../common.ts";
import { agreementLocatorShape, refineAgreementLocator } from "./agreement-query.ts";

/** `biz_content` of `alipay.user.agreement.unsign` (docs/alipay-protocol.md §6). */
export const agreementUnsignBizContentSchema = z
  .looseObject({
    ...agreementLocatorShape,
    extend_params: z.string().optional(),
    operate_type: z.enum(["confirm", "invalid"]).optional(),
  })
  .superRefine(refineAgreementLocator);
export type AgreementUnsignBizContent = z.infer<typeof agreementUnsignBizContentSchema>;

/** The answer holds only code/msg (and sub_code/sub_msg on failure). */
export const agreementUnsignResponseSchema = gatewayResultSchema;
export type AgreementUnsignResponse = z.infer<typeof agreementUnsignResponseSchema>;
