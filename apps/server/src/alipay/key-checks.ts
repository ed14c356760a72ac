import { createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { KeyFormatError, parseCertificate, parsePrivateKey, parsePublicKey } from "./keys.ts";

export type KeyIssue = { path: string; message: string };

type RawAlipayKeys = {
  ALIPAY_APP_ID?: string | undefined;
  ALIPAY_KEY_MODE?: string | undefined;
  ALIPAY_PRIVATE_KEY?: string | undefined;
  ALIPAY_PUBLIC_KEY?: string | undefined;
  ALIPAY_APP_CERT?: string | undefined;
  ALIPAY_PUBLIC_CERT?: string | undefined;
};

const appPublicKeyMistake =
  "is your app's public key (it matches ALIPAY_PRIVATE_KEY), not the Alipay public key. In the Alipay open " +
  "platform console (开发设置 → 接口加签方式) copy the key labelled 支付宝公钥 (Alipay public key), not 应用公钥 " +
  "(app public key)";

const appCertMistake =
  "holds your app's certificate (its key matches ALIPAY_PRIVATE_KEY), not Alipay's: use alipayCertPublicKey_RSA2.crt " +
  "here and appCertPublicKey_*.crt in ALIPAY_APP_CERT";

function spki(key: KeyObject): string {
  return key.export({ format: "der", type: "spki" }).toString("base64");
}

function read<T>(path: string, parse: () => T, into: KeyIssue[]): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof KeyFormatError)) throw error;
    into.push({ path, message: error.message });
    return undefined;
  }
}

/**
 * Every unreadable Alipay key or certificate, and the keys that are readable but swapped: the app public key (or app
 * certificate) where Alipay's belongs is the most common configuration mistake, and the app public key is derived
 * from the private key, so it is caught here instead of as an unverifiable answer at the first sign-in.
 */
export function alipayKeyIssues(env: RawAlipayKeys): KeyIssue[] {
  if (!env.ALIPAY_APP_ID) return [];
  const issues: KeyIssue[] = [];
  const privateKey = env.ALIPAY_PRIVATE_KEY
    ? read("ALIPAY_PRIVATE_KEY", () => parsePrivateKey(env.ALIPAY_PRIVATE_KEY ?? "", "ALIPAY_PRIVATE_KEY"), issues)
    : undefined;
  const appPublicKey = privateKey ? spki(createPublicKey(privateKey.keyObject)) : undefined;
  if ((env.ALIPAY_KEY_MODE ?? "public-key") === "public-key") {
    const alipayPublicKey = env.ALIPAY_PUBLIC_KEY
      ? read("ALIPAY_PUBLIC_KEY", () => parsePublicKey(env.ALIPAY_PUBLIC_KEY ?? "", "ALIPAY_PUBLIC_KEY"), issues)
      : undefined;
    if (alipayPublicKey && appPublicKey === spki(alipayPublicKey.keyObject))
      issues.push({ path: "ALIPAY_PUBLIC_KEY", message: appPublicKeyMistake });
    return issues;
  }
  for (const name of ["ALIPAY_APP_CERT", "ALIPAY_PUBLIC_CERT"] as const) {
    const value = env[name];
    if (value) read(name, () => parseCertificate(value, name), issues);
  }
  const alipayCert = env.ALIPAY_PUBLIC_CERT;
  if (!alipayCert || !appPublicKey || issues.some((issue) => issue.path === "ALIPAY_PUBLIC_CERT")) return issues;
  const first = parseCertificate(alipayCert).split(/(?=-----BEGIN CERTIFICATE-----)/)[0] ?? alipayCert;
  if (spki(new X509Certificate(first).publicKey) === appPublicKey)
    issues.push({ path: "ALIPAY_PUBLIC_CERT", message: appCertMistake });
  return issues;
}
