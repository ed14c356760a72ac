import { z } from "zod";
import { gatewayResultSchema } from "../common.ts";

/**
 * `biz_content` of `alipay.data.dataservice.bill.downloadurl.query` (docs/alipay-protocol.md §14.3, §21): this system
 * asks only for the daily acquiring bill, `bill_type=trade` with `bill_date` `yyyy-MM-dd` (an Asia/Shanghai day).
 */
export const billDownloadUrlQueryBizContentSchema = z.looseObject({
  bill_type: z.enum(["trade", "signcustomer"]),
  bill_date: z.string().regex(/^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$/, "yyyy-MM-dd or yyyy-MM"),
});
export type BillDownloadUrlQueryBizContent = z.infer<typeof billDownloadUrlQueryBizContentSchema>;

/** Answer: a short-lived download address of a zip of GBK CSV files (§21). */
export const billDownloadUrlQueryResponseSchema = gatewayResultSchema.extend({
  bill_download_url: z.string().optional(),
});
export type BillDownloadUrlQueryResponse = z.infer<typeof billDownloadUrlQueryResponseSchema>;
