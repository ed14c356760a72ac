/** What is kept of an Alipay payload: its string fields but the signature and logon ids (personal data). */
export function redactAlipayFields(params: Record<string, unknown>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === "sign" || key === "alipay_logon_id" || key === "buyer_logon_id") continue;
    if (typeof value === "string") kept[key] = value;
  }
  return kept;
}
