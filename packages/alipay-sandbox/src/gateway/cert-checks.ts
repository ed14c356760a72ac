import type { AppEntry, SandboxConfig } from "../config.ts";
import { invalidArguments, missingArguments, type GatewayBody } from "./results.ts";

/**
 * docs/alipay-protocol.md §19.3: in certificate mode every request names the app certificate and the Alipay root
 * certificate by their SNs (§19.4), which the gateway checks before the signature. Null when the request passes, or
 * in public-key mode.
 */
export function checkCertificateSns(
  params: Record<string, string>,
  context: { config: SandboxConfig; app: AppEntry },
): GatewayBody | null {
  const expected = context.config.certificates;
  if (!expected) return null;
  const appCertSn = params.app_cert_sn;
  const rootCertSn = params.alipay_root_cert_sn;
  if (!appCertSn) return missingArguments("isv.missing-app-cert-sn", "缺少应用公钥证书序列号");
  if (!rootCertSn) return missingArguments("isv.missing-alipay-root-cert-sn", "缺少支付宝根证书序列号");
  if (appCertSn !== context.app.appCertSn) return invalidArguments("isv.app-cert-not-exist", "应用公钥证书不存在");
  if (rootCertSn !== expected.alipayRootCertSn)
    return invalidArguments("isv.invalid-alipay-root-cert-sn", "无效的支付宝根证书序列号");
  return null;
}
