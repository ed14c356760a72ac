import type { SignType } from "@paysign/contracts/alipay";
import {
  parseCertificate,
  parsePrivateKey,
  parsePublicKey,
  type ParsedPrivateKey,
  type ParsedPublicKey,
} from "./keys.ts";

type CommonAlipayConfig = {
  appId: string;
  privateKey: ParsedPrivateKey;
  signType: SignType;
  gateway: string;
  /** Public URL of POST /alipay/notify, passed as notify_url on signing, unsigning and charging. */
  notifyUrl: string | undefined;
  timeoutMs: number;
};

/** Public-key mode and certificate mode exclude each other (docs/user-pain-points.md §B.4). */
export type AlipayConfig =
  | (CommonAlipayConfig & { mode: "public-key"; alipayPublicKey: ParsedPublicKey })
  | (CommonAlipayConfig & { mode: "cert"; appCert: string; alipayPublicCert: string; alipayRootCert: string });

export type AlipayEnv = {
  ALIPAY_APP_ID: string;
  ALIPAY_PRIVATE_KEY: string;
  ALIPAY_KEY_MODE: "public-key" | "cert";
  ALIPAY_PUBLIC_KEY?: string | undefined;
  ALIPAY_APP_CERT?: string | undefined;
  ALIPAY_PUBLIC_CERT?: string | undefined;
  ALIPAY_ROOT_CERT?: string | undefined;
  ALIPAY_SIGN_TYPE: SignType;
  ALIPAY_GATEWAY: string;
  ALIPAY_NOTIFY_URL?: string | undefined;
  ALIPAY_TIMEOUT_MS: number;
};

/** Throws KeyFormatError (with what to fix) for an unreadable key or certificate. */
export function toAlipayConfig(env: AlipayEnv): AlipayConfig {
  const common: CommonAlipayConfig = {
    appId: env.ALIPAY_APP_ID,
    privateKey: parsePrivateKey(env.ALIPAY_PRIVATE_KEY, "ALIPAY_PRIVATE_KEY"),
    signType: env.ALIPAY_SIGN_TYPE,
    gateway: env.ALIPAY_GATEWAY,
    notifyUrl: env.ALIPAY_NOTIFY_URL,
    timeoutMs: env.ALIPAY_TIMEOUT_MS,
  };
  if (env.ALIPAY_KEY_MODE === "public-key") {
    return {
      ...common,
      mode: "public-key",
      alipayPublicKey: parsePublicKey(env.ALIPAY_PUBLIC_KEY ?? "", "ALIPAY_PUBLIC_KEY"),
    };
  }
  return {
    ...common,
    mode: "cert",
    appCert: parseCertificate(env.ALIPAY_APP_CERT ?? "", "ALIPAY_APP_CERT"),
    alipayPublicCert: parseCertificate(env.ALIPAY_PUBLIC_CERT ?? "", "ALIPAY_PUBLIC_CERT"),
    alipayRootCert: env.ALIPAY_ROOT_CERT ?? "",
  };
}
