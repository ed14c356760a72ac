/** What the operator changes for each gateway refusal of paysign's own configuration (docs/alipay-protocol.md §1.7). */
const hints: Record<string, string> = {
  "isv.invalid-signature":
    "Alipay could not verify paysign's signature: ALIPAY_PRIVATE_KEY is not the private key of the app public key " +
    "(or app certificate) uploaded for ALIPAY_APP_ID in the Alipay console, or ALIPAY_SIGN_TYPE differs from the " +
    "app's 接口加签方式",
  "isv.missing-signature": "the request carried no signature: check ALIPAY_PRIVATE_KEY",
  "isv.invalid-signature-type": "set ALIPAY_SIGN_TYPE to the app's signing type in the Alipay console (RSA2)",
  "isv.missing-signature-config":
    "the app has no 接口加签方式 in the Alipay console, or ALIPAY_KEY_MODE does not match it (public-key or cert)",
  "isv.invalid-app-id":
    "ALIPAY_APP_ID is not an app on this gateway (ALIPAY_GATEWAY): check the id, and that a sandbox app id is used " +
    "only with the sandbox gateway",
  "isv.missing-app-id": "set ALIPAY_APP_ID",
  "isv.invalid-app-state": "the app is not online (上线) or is suspended: check its status in the Alipay console",
  "isv.insufficient-isv-permissions":
    "the app may not call this method: sign the 周期扣款 / 商家扣款 product and add the capability to the app",
  "isv.forbidden-api": "the app may not call this method: check the products signed for ALIPAY_APP_ID",
  "isv.invalid-timestamp": "the server's clock or time zone is wrong: Alipay reads Asia/Shanghai wall time",
};

const fallback =
  "Alipay refused paysign's set-up, not this request: check ALIPAY_APP_ID, ALIPAY_PRIVATE_KEY, ALIPAY_SIGN_TYPE, " +
  "ALIPAY_GATEWAY and the products signed for the app in the Alipay console";

export function configurationHint(subCode: string | undefined): string {
  return (subCode !== undefined && hints[subCode]) || fallback;
}
