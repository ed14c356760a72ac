/**
 * The mini program entry (`@paysign/contracts/mini`): types, constants and pure helpers only. Nothing here loads the
 * schema library, reads the global object or evaluates code from strings, which Alipay's mini program engines forbid
 * (docs/toolchain-facts.md); test/mini-bundle.test.ts bundles this file with esbuild and checks the text.
 */
export {
  PAY_SIGN_RESULT_STATUSES,
  PAY_SIGN_RESULTS,
  SIGN_OUTCOMES,
  SIGN_OUTCOME_LABELS,
  isPaySignResultStatus,
  signOutcomeOf,
  type PaySignNextStep,
  type PaySignResultInfo,
  type PaySignResultStatus,
  type SignOutcome,
} from "../domain/pay-sign-result.ts";
export {
  AGREEMENT_STATUSES,
  AGREEMENT_STATUS_LABELS,
  TERMINAL_AGREEMENT_STATUSES,
  isAgreementStatus,
  isTerminalAgreementStatus,
  type AgreementStatus,
} from "../domain/agreement-status.ts";
export { CHARGE_STATUSES, CHARGE_STATUS_LABELS, isChargeStatus, type ChargeStatus } from "../domain/charge-status.ts";
export { PERIOD_TYPES, type PeriodType } from "../domain/period-rule-checks.ts";
export { compareYuan, fenToYuan, formatYuan, isYuan, sumYuan, yuanToFen, type Yuan } from "../money.ts";
export {
  addDays,
  addMonths,
  compareCalendarDates,
  formatAlipayDateTime,
  formatCalendarDate,
  formatShanghaiIso,
  isAlipayDateTime,
  isCalendarDate,
  parseAlipayDateTime,
  parseCalendarDate,
  shanghaiDateOf,
  tryParseAlipayDateTime,
  tryParseCalendarDate,
  tryShanghaiDateOfIso,
  type AlipayDateTime,
  type CalendarDate,
  type CalendarDateParts,
} from "../time.ts";
export { ERROR_CODES, ERROR_HTTP_STATUS, isErrorCode, type ErrorCode } from "../api/error-codes.ts";
export { ADMIN_CSRF_HEADER, CUSTOMER_API_PATHS, buildPath } from "../api/paths.ts";
export type { ErrorBody } from "../api/errors.ts";
export type {
  Agreement,
  AgreementDetail,
  AgreementEvent,
  CreateAgreementBody,
  CreatedAgreement,
  SignResultAnswer,
  SignResultBody,
} from "../api/resources/agreement.ts";
export type { Charge } from "../api/resources/charge.ts";
export type { CreateSessionBody, Customer, Session } from "../api/resources/customer.ts";
export type { Plan } from "../api/resources/plan.ts";
export type { CustomerRefund, MoneyTotals, RefundStatus } from "../api/resources/refund.ts";
