import { z } from "zod";
import { calendarDateSchema } from "../../wire-formats.ts";
import { gatewayResultSchema } from "../common.ts";

/**
 * `biz_content` of `alipay.user.agreement.executionplan.modify` (docs/alipay-protocol.md §7): `deduct_time` is a date
 * only (a time gives ILLEGAL_EXECUTION_TIME). Later than D only, and day ≤ 28 for MONTH periods: Alipay checks
 * those against the agreement, so they are not part of this shape.
 */
export const executionPlanModifyBizContentSchema = z.looseObject({
  agreement_no: z.string().min(1),
  deduct_time: calendarDateSchema,
  memo: z.string().optional(),
});
export type ExecutionPlanModifyBizContent = z.infer<typeof executionPlanModifyBizContentSchema>;

export const executionPlanModifyResponseSchema = gatewayResultSchema.extend({
  agreement_no: z.string().optional(),
  deduct_time: calendarDateSchema.optional(),
});
export type ExecutionPlanModifyResponse = z.infer<typeof executionPlanModifyResponseSchema>;
