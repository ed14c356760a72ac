import { alipayResponseKey } from "./methods.ts";
import { pageSignResponseSchema, type PageSignResponse } from "./methods/page-sign.ts";
import { readSignedResponse, type Result } from "./signed-response.ts";

export const PAGE_SIGN_RESPONSE_KEY = alipayResponseKey("alipay.user.agreement.page.sign");

export type PaySignCenterResult = {
  /** The exact raw text of `alipay_user_agreement_page_sign_response`: verify `sign` over it. */
  signSource: string;
  sign: string | undefined;
  signType: string | undefined;
  response: PageSignResponse;
};

/**
 * Reads the `result` string my.paySignCenter returns (docs/alipay-protocol.md §3). Tolerates the trailing comma of
 * Alipay's own example. The parsed answer is not proof of anything until `sign` verifies over `signSource` with the
 * Alipay public key and `app_id` / `external_agreement_no` match (docs/product.md §5).
 */
export function parsePaySignCenterResult(result: string): Result<PaySignCenterResult> {
  const signed = readSignedResponse(result, PAGE_SIGN_RESPONSE_KEY);
  if (!signed.ok) return signed;
  const response = pageSignResponseSchema.safeParse(signed.value.response);
  if (!response.success) {
    const fields = response.error.issues.map((issue) => issue.path.join(".")).join(", ");
    return { ok: false, reason: `the page.sign answer has malformed fields: ${fields}` };
  }
  return {
    ok: true,
    value: {
      signSource: signed.value.signSource,
      sign: signed.value.sign,
      signType: signed.value.signType,
      response: response.data,
    },
  };
}
