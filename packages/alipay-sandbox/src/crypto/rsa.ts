import { createSign, createVerify, type KeyObject } from "node:crypto";

export type SignType = "RSA" | "RSA2";

/** docs/alipay-protocol.md §1.3: RSA2 = SHA256withRSA, RSA = SHA1withRSA, PKCS#1 v1.5, base64. */
const ALGORITHMS: Record<SignType, string> = { RSA: "RSA-SHA1", RSA2: "RSA-SHA256" };

export function isSignType(value: string): value is SignType {
  return value === "RSA" || value === "RSA2";
}

/** A string is signed as its UTF-8 bytes; a Buffer as it is (text already encoded in another charset, §18.1). */
export function signText(text: string | Buffer, key: KeyObject, signType: SignType = "RSA2"): string {
  return createSign(ALGORITHMS[signType]).update(toBytes(text)).sign(key, "base64");
}

function toBytes(text: string | Buffer): Buffer {
  return typeof text === "string" ? Buffer.from(text, "utf8") : text;
}

export function verifyText(options: {
  text: string | Buffer;
  signature: string;
  key: KeyObject;
  signType: SignType;
}): boolean {
  try {
    return createVerify(ALGORITHMS[options.signType])
      .update(toBytes(options.text))
      .verify(options.key, options.signature, "base64");
  } catch {
    return false;
  }
}
