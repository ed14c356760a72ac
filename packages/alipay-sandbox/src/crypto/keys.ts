import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";

/** PEM strings: the private key in PKCS#1 (what alipay-sdk reads by default), the public key in SPKI. */
export type RsaKeyPair = { privateKey: string; publicKey: string };

export function generateRsaKeyPair(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** Accepts PEM, bare base64 or one line with literal `\n` escapes (docs/user-pain-points.md §B.4). */
function normaliseKeyText(text: string): { pem: boolean; body: string } {
  const unescaped = text.replaceAll("\\n", "\n").trim();
  if (unescaped.startsWith("-----BEGIN")) return { pem: true, body: unescaped };
  return { pem: false, body: unescaped.replace(/\s+/g, "") };
}

function derBuffer(body: string): Buffer {
  return Buffer.from(body, "base64");
}

export function parsePrivateKey(text: string): KeyObject {
  const { pem, body } = normaliseKeyText(text);
  if (pem) return createPrivateKey(body);
  try {
    return createPrivateKey({ key: derBuffer(body), format: "der", type: "pkcs8" });
  } catch {
    return createPrivateKey({ key: derBuffer(body), format: "der", type: "pkcs1" });
  }
}

export function parsePublicKey(text: string): KeyObject {
  const { pem, body } = normaliseKeyText(text);
  if (pem) return createPublicKey(body);
  try {
    return createPublicKey({ key: derBuffer(body), format: "der", type: "spki" });
  } catch {
    return createPublicKey({ key: derBuffer(body), format: "der", type: "pkcs1" });
  }
}
