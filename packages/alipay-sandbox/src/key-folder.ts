import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateRsaKeyPair, type RsaKeyPair } from "./crypto/keys.ts";
import { createSandboxCertificates, issueAppCertificate, type SandboxCertificates } from "./crypto/certificates.ts";

/** Reads `<name>-private.pem` / `<name>-public.pem` from the folder, creating the pair once when missing. */
export function readOrCreateKeyPair(folder: string, name: string): RsaKeyPair {
  const privatePath = path.join(folder, `${name}-private.pem`);
  const publicPath = path.join(folder, `${name}-public.pem`);
  if (existsSync(privatePath) && existsSync(publicPath)) {
    return { privateKey: readFileSync(privatePath, "utf8"), publicKey: readFileSync(publicPath, "utf8") };
  }
  mkdirSync(folder, { recursive: true });
  const pair = generateRsaKeyPair();
  writeFileSync(privatePath, pair.privateKey, { mode: 0o600 });
  writeFileSync(publicPath, pair.publicKey);
  return pair;
}

/**
 * Certificate mode's files in the key folder, read or created once (docs/alipay-protocol.md §19.3), named like the
 * files the Alipay console hands out: `alipayRootCert.crt`, `alipayCertPublicKey_RSA2.crt` and
 * `appCertPublicKey_<appId>.crt`; the sandbox's issuing CA stays in `sandbox-ca.crt` / `sandbox-ca-private.pem`.
 */
export async function readOrCreateCertificates(
  folder: string,
  options: { alipayKeys: RsaKeyPair; app: { appId: string; publicKey: string } },
): Promise<{ alipayRootCert: string; alipayPublicCert: string; appCert: string }> {
  const file = (name: string) => path.join(folder, name);
  const names = ["alipayRootCert.crt", "alipayCertPublicKey_RSA2.crt", "sandbox-ca.crt", "sandbox-ca-private.pem"];
  mkdirSync(folder, { recursive: true });
  let certificates: SandboxCertificates;
  if (names.every((name) => existsSync(file(name)))) {
    const [alipayRootCert, alipayPublicCert, cert, privateKey] = names.map((name) => readFileSync(file(name), "utf8"));
    certificates = {
      alipayRootCert: alipayRootCert ?? "",
      alipayPublicCert: alipayPublicCert ?? "",
      issuer: { cert: cert ?? "", privateKey: privateKey ?? "" },
    };
  } else {
    certificates = await createSandboxCertificates(options.alipayKeys);
    writeFileSync(file("alipayRootCert.crt"), certificates.alipayRootCert);
    writeFileSync(file("alipayCertPublicKey_RSA2.crt"), certificates.alipayPublicCert);
    writeFileSync(file("sandbox-ca.crt"), certificates.issuer.cert);
    writeFileSync(file("sandbox-ca-private.pem"), certificates.issuer.privateKey, { mode: 0o600 });
  }
  const appCertPath = file(`appCertPublicKey_${options.app.appId}.crt`);
  const appCert = existsSync(appCertPath)
    ? readFileSync(appCertPath, "utf8")
    : await issueAppCertificate(certificates, options.app);
  writeFileSync(appCertPath, appCert);
  return { alipayRootCert: certificates.alipayRootCert, alipayPublicCert: certificates.alipayPublicCert, appCert };
}
