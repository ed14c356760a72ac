import { isLive } from "../../agreements/agreement-lookup.ts";
import { addDays, addMonths, tryParseCalendarDate } from "@paysign/contracts";
import { readText } from "../biz-fields.ts";
import type { MethodHandler } from "../method-context.ts";
import { businessFailed, success } from "../results.ts";

/**
 * alipay.user.agreement.executionplan.modify (§7): deduct_time is `yyyy-MM-dd`, strictly after the current D, and a
 * MONTH agreement's day stays ≤ 28, and not after the day of invalid_time. The 2020 limits (within one period, 10 changes) are options, off by default.
 */
export const executionplanModify: MethodHandler = ({ deps, request, now }) => {
  const { config, store } = deps;
  const agreementNo = readText(request.biz, "agreement_no");
  const deductTime = readText(request.biz, "deduct_time");
  if (!agreementNo || !deductTime) return businessFailed("INVALID_PARAMETER", "agreement_no 和 deduct_time 必填");
  const agreement = store.state.agreements[agreementNo];
  if (!agreement || agreement.appId !== request.app.appId || !isLive(agreement, now)) {
    return businessFailed("ILLEGAL_AGREEMENT", "协议不存在或状态不正常");
  }
  const rule = agreement.periodRule;
  const current = agreement.nextDeductDate;
  if (!rule || !current) return businessFailed("ILLEGAL_AGREEMENT", "不是周期扣款协议");
  const parts = tryParseCalendarDate(deductTime);
  if (!parts) return businessFailed("ILLEGAL_EXECUTION_TIME", "执行计划时间参数非法：格式须为 yyyy-MM-dd");
  if (deductTime <= current) {
    return businessFailed("ILLEGAL_EXECUTION_TIME", `执行计划时间参数非法：只能晚于当前扣款日 ${current}`);
  }
  if (rule.periodType === "MONTH" && parts.day > 28) {
    return businessFailed("ILLEGAL_EXECUTION_TIME", "执行计划时间参数非法：按月扣款的日期不能晚于28日");
  }
  // No deduction can happen once the agreement is invalid: a date after invalid_time's day is refused (§7).
  const lastDay = agreement.invalidTime.slice(0, 10);
  if (deductTime > lastDay) {
    return businessFailed("ILLEGAL_EXECUTION_TIME", `执行计划时间参数非法：不能晚于协议失效日期 ${lastDay}`);
  }
  const nextPeriod = rule.periodType === "DAY" ? addDays(current, rule.period) : addMonths(current, rule.period);
  if (config.modifyWithinOnePeriod && deductTime >= nextPeriod) {
    return businessFailed("ILLEGAL_EXECUTION_TIME", `执行计划时间参数非法：须早于 ${nextPeriod}`);
  }
  if (config.modifyMaxCount !== null && agreement.modifyCount >= config.modifyMaxCount) {
    return businessFailed("ILLEGAL_EXECUTION_TIME", "执行计划修改次数已达上限");
  }
  agreement.nextDeductDate = deductTime;
  agreement.modifyCount += 1;
  store.save();
  return success({ agreement_no: agreement.agreementNo, deduct_time: deductTime });
};
