import { maskLogonId } from "../state/ids.ts";
import type { Agreement, SandboxUser } from "../state/types.ts";
import { fenToYuan } from "@paysign/contracts";
import { userFields, type UserIdType } from "../users/user-identity.ts";

function optional(name: string, value: string | null): Record<string, string> {
  return value === null ? {} : { [name]: value };
}

/**
 * Fields shared by agreement.query, sign.effect and the page.sign result (§2.6, §4, §5); an open-id app gets
 * `alipay_open_id` / `principal_open_id` in place of `alipay_user_id` / `principal_id` (§19.1).
 */
export function agreementFields(
  agreement: Agreement,
  user: SandboxUser | undefined,
  userIdType: UserIdType,
): Record<string, string> {
  const identity = { userIdType, appId: agreement.appId, userId: agreement.userId };
  return {
    agreement_no: agreement.agreementNo,
    ...optional("external_agreement_no", agreement.externalAgreementNo),
    ...optional("external_logon_id", agreement.externalLogonId),
    personal_product_code: agreement.personalProductCode,
    sign_scene: agreement.signScene,
    status: agreement.status,
    sign_time: agreement.signTime,
    valid_time: agreement.validTime,
    invalid_time: agreement.invalidTime,
    third_party_type: agreement.thirdPartyType,
    ...userFields(identity, { userId: "alipay_user_id", openId: "alipay_open_id" }),
    ...userFields(identity, { userId: "principal_id", openId: "principal_open_id" }),
    alipay_logon_id: maskLogonId(user?.logonId ?? ""),
  };
}

/** agreement.query adds the schedule of a periodic agreement (§5). */
export function agreementQueryFields(
  agreement: Agreement,
  user: SandboxUser | undefined,
  userIdType: UserIdType,
): Record<string, string> {
  return {
    ...agreementFields(agreement, user, userIdType),
    ...optional("next_deduct_time", agreement.nextDeductDate),
    ...optional("last_deduct_time", agreement.lastDeductTime),
    ...(agreement.periodRule ? { single_quota: fenToYuan(agreement.periodRule.singleAmountFen) } : {}),
  };
}
