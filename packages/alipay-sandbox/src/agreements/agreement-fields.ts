import { maskLogonId } from "../state/ids.ts";
import type { Agreement, SandboxUser } from "../state/types.ts";
import { fenToYuan } from "@paysign/contracts";

function optional(name: string, value: string | null): Record<string, string> {
  return value === null ? {} : { [name]: value };
}

/** Fields shared by agreement.query, sign.effect and the page.sign result (§2.6, §4, §5). */
export function agreementFields(agreement: Agreement, user: SandboxUser | undefined): Record<string, string> {
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
    alipay_user_id: agreement.userId,
    principal_id: agreement.userId,
    alipay_logon_id: maskLogonId(user?.logonId ?? ""),
  };
}

/** agreement.query adds the schedule of a periodic agreement (§5). */
export function agreementQueryFields(agreement: Agreement, user: SandboxUser | undefined): Record<string, string> {
  return {
    ...agreementFields(agreement, user),
    ...optional("next_deduct_time", agreement.nextDeductDate),
    ...optional("last_deduct_time", agreement.lastDeductTime),
    ...(agreement.periodRule ? { single_quota: fenToYuan(agreement.periodRule.singleAmountFen) } : {}),
  };
}
