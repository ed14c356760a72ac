import { randomBytes } from "node:crypto";

const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** `PS` + yyyyMMdd (Asia/Shanghai) + 22 random letters and digits: 32 characters, Alipay's limit (§2.1). */
export function newExternalAgreementNo(shanghaiDate: string): string {
  const bytes = randomBytes(22);
  let suffix = "";
  for (const byte of bytes) suffix += alphabet[byte % alphabet.length];
  return `PS${shanghaiDate.replaceAll("-", "")}${suffix}`;
}
