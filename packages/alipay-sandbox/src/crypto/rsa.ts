import { createSign, createVerify, type KeyObject } from "node:crypto";

export type SignType = "RSA" | "RSA2";

/** docs/alipay-protocol.md §1.3: RSA2 = SHA256withRSA, RSA = SHA1withRSA, PKCS#1 v1.5, base64. */
const ALGORITHMS: Record<SignType, string> = { RSA: "RSA-SHA1", RSA2: "RSA-SHA256" };

export function isSignType(value: string): value is SignType {
  return value === "RSA" || value === "RSA2";
}

export function signText(text: string, key: KeyObject, signType: SignType = "RSA2"): string {
  return createSign(ALGORITHMS[signType]).update(text, "utf8").sign(key, "base64");
}

export function verifyText(options: { text: string; signature: string; key: KeyObject; signType: SignType }): boolean {
  try {
    return createVerify(ALGORITHMS[options.signType])
      .update(options.text, "utf8")
      .verify(options.key, options.signature, "base64");
  } catch {
    return false;
  }
}
