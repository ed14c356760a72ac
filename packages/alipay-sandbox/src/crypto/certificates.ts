// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill loaded first.
import "reflect-metadata";
import { createPrivateKey, createPublicKey, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type { RsaKeyPair } from "./keys.ts";

/**
 * The certificates of Alipay's public-key certificate mode (公钥证书, docs/alipay-protocol.md §19.3), as PEM text in
 * the shape of the files the Alipay console hands out: `alipayRootCert.crt` (the root bundle: an RSA root and an
 * ECDSA root), `alipayCertPublicKey_RSA2.crt` (the sandbox's Alipay key, then its issuing CA), and the issuer the
 * sandbox signs app certificates with.
 */
export type SandboxCertificates = {
  alipayRootCert: string;
  alipayPublicCert: string;
  /** The issuing CA: its certificate and its private key (PKCS#8 PEM), for app certificates. */
  issuer: { cert: string; privateKey: string };
};

const rsa = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
const ecdsa = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const validity = { notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2099-12-31T00:00:00Z") };

const ROOT_RSA = "C=CN, O=paysign sandbox, OU=Certification Authority, CN=Sandbox Alipay Root CA R1";
const ROOT_EC = "C=CN, O=paysign sandbox, OU=Certification Authority, CN=Sandbox Alipay Root CA E1";
const ISSUER = "C=CN, O=paysign sandbox, OU=Certification Authority, CN=Sandbox Alipay Class 2 CA R1";

x509.cryptoProvider.set(webcrypto);

function caExtensions(): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ];
}

async function rsaKeys(): Promise<webcrypto.CryptoKeyPair> {
  const algorithm = { ...rsa, publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  return await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
}

function spkiDer(publicKeyPem: string): ArrayBuffer {
  const der = createPublicKey(publicKeyPem).export({ format: "der", type: "spki" });
  return der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength);
}

/** A random positive serial of 16 bytes, hex (Alipay's serials are long numbers too). */
function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString("hex");
}

/** Creates the root bundle, the issuing CA and the Alipay public-key certificate for `alipayKeys` (async: WebCrypto). */
export async function createSandboxCertificates(alipayKeys: RsaKeyPair): Promise<SandboxCertificates> {
  const rootKeys = await rsaKeys();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    ...validity,
    serialNumber: serial(),
    name: ROOT_RSA,
    keys: rootKeys,
    signingAlgorithm: rsa,
    extensions: caExtensions(),
  });
  const ecKeys = await webcrypto.subtle.generateKey(ecdsa, true, ["sign", "verify"]);
  const ecRoot = await x509.X509CertificateGenerator.createSelfSigned({
    ...validity,
    serialNumber: serial(),
    name: ROOT_EC,
    keys: ecKeys,
    signingAlgorithm: ecdsa,
    extensions: caExtensions(),
  });
  const issuerKeys = await rsaKeys();
  const issuer = await x509.X509CertificateGenerator.create({
    ...validity,
    serialNumber: serial(),
    subject: ISSUER,
    issuer: root.subject,
    publicKey: issuerKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: rsa,
    extensions: caExtensions(),
  });
  const issuerPrivateKey = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", issuerKeys.privateKey));
  const issuerPair = {
    cert: issuer.toString("pem"),
    privateKey: createPrivateKey({ key: issuerPrivateKey, format: "der", type: "pkcs8" })
      .export({ format: "pem", type: "pkcs8" })
      .toString(),
  };
  const alipayCert = await issueCertificate(issuerPair, {
    publicKey: alipayKeys.publicKey,
    subject: "C=CN, O=paysign sandbox, OU=Alipay Open Platform, CN=Sandbox Alipay public key",
  });
  return {
    alipayRootCert: `${root.toString("pem")}\n${ecRoot.toString("pem")}\n`,
    alipayPublicCert: `${alipayCert}\n${issuerPair.cert}\n`,
    issuer: issuerPair,
  };
}

async function issueCertificate(
  issuer: SandboxCertificates["issuer"],
  leaf: { publicKey: string; subject: string },
): Promise<string> {
  const signingKey = createPrivateKey(issuer.privateKey).toCryptoKey(rsa, false, ["sign"]);
  const certificate = await x509.X509CertificateGenerator.create({
    ...validity,
    serialNumber: serial(),
    subject: leaf.subject,
    issuer: new x509.X509Certificate(issuer.cert).subject,
    publicKey: spkiDer(leaf.publicKey),
    signingKey,
    signingAlgorithm: rsa,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  return certificate.toString("pem");
}

/** The app public-key certificate (`appCertPublicKey_<appId>.crt`) the sandbox issues for an app's public key. */
export function issueAppCertificate(
  certificates: SandboxCertificates,
  app: { appId: string; publicKey: string },
): Promise<string> {
  return issueCertificate(certificates.issuer, {
    publicKey: app.publicKey,
    subject: `C=CN, O=paysign sandbox merchant, OU=Alipay Open Platform, CN=${app.appId}`,
  });
}
