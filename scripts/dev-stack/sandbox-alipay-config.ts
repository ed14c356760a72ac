import type { Sandbox } from "@paysign/alipay-sandbox";
import { toAlipayConfig, type AlipayConfig } from "@paysign/server";

/** The server's Alipay configuration for an app registered in a local sandbox (`pnpm dev`, `pnpm demo`, the benchmark). */
export function sandboxAlipayConfig(options: {
  sandbox: Pick<Sandbox, "gatewayUrl" | "alipayPublicKey">;
  appId: string;
  appPrivateKey: string;
  notifyUrl: string;
  timeoutMs?: number;
  /** Certificate mode (docs/alipay-protocol.md §19.3): the sandbox's certificate files; public-key mode without. */
  certificates?: { appCert: string; alipayPublicCert: string; alipayRootCert: string } | undefined;
}): AlipayConfig {
  const { certificates } = options;
  return toAlipayConfig({
    ALIPAY_APP_ID: options.appId,
    ALIPAY_PRIVATE_KEY: options.appPrivateKey,
    ...(certificates
      ? {
          ALIPAY_KEY_MODE: "cert",
          ALIPAY_APP_CERT: certificates.appCert,
          ALIPAY_PUBLIC_CERT: certificates.alipayPublicCert,
          ALIPAY_ROOT_CERT: certificates.alipayRootCert,
        }
      : { ALIPAY_KEY_MODE: "public-key", ALIPAY_PUBLIC_KEY: options.sandbox.alipayPublicKey }),
    ALIPAY_SIGN_TYPE: "RSA2",
    ALIPAY_GATEWAY: options.sandbox.gatewayUrl,
    ALIPAY_NOTIFY_URL: options.notifyUrl,
    ALIPAY_TIMEOUT_MS: options.timeoutMs ?? 10_000,
  });
}
