import { addDays, compareCalendarDates, isCalendarDate, shanghaiDateOf } from "@paysign/contracts";
import { billRows, buildBillZip } from "../../bill/statement.ts";
import { readText } from "../biz-fields.ts";
import type { MethodHandler } from "../method-context.ts";
import { businessFailed, invalidArguments, success } from "../results.ts";

/** Alipay keeps daily bills for about six years (docs/alipay-protocol.md §21). */
const KEPT_DAYS = 6 * 366;

/**
 * alipay.data.dataservice.bill.downloadurl.query (docs/alipay-protocol.md §14.3, §21): the daily `trade` bill of a
 * past Asia/Shanghai day, as a short-lived address on this sandbox. Today and later days are refused as invalid
 * arguments (T+1); a day with no line, or older than Alipay keeps, is `isp.bill_not_exist`. Monthly bills and
 * `signcustomer` are not modelled.
 */
export const billDownloadUrlQuery: MethodHandler = ({ deps, request, now, baseUrl }) => {
  const billType = readText(request.biz, "bill_type");
  const billDate = readText(request.biz, "bill_date");
  if (billType !== "trade" && billType !== "signcustomer")
    return invalidArguments("isv.invalid-arguments", "bill_type 不合法");
  if (!billDate || !isCalendarDate(billDate))
    return invalidArguments("isv.invalid-arguments", "bill_date 格式不正确 (the sandbox serves daily bills only)");
  const today = shanghaiDateOf(now);
  if (compareCalendarDates(billDate, today) >= 0)
    return invalidArguments("isv.invalid-arguments", "参数不合法: 不支持下载当日及以后的账单");
  if (billType === "signcustomer" || compareCalendarDates(billDate, addDays(today, -KEPT_DAYS)) < 0)
    return businessFailed("isp.bill_not_exist", "账单不存在");
  const { appId } = request.app;
  const rows = billRows(deps.store.state, { appId, day: billDate });
  if (rows.length === 0) return businessFailed("isp.bill_not_exist", "账单不存在");
  const compact = billDate.replaceAll("-", "");
  const fileName = `${appId}_${compact}.csv.zip`;
  const token = deps.bills.add({ bytes: buildBillZip(rows, { appId, day: billDate, now }), fileName, now });
  const query = new URLSearchParams({ bizType: "trade", bizDates: compact, downloadFileName: fileName, token });
  return success({ bill_download_url: `${baseUrl}/downloadBillFile.resource?${query.toString()}` });
};
