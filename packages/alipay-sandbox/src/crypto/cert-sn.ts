// The signature algorithm is read with @peculiar/x509, which needs the Reflect metadata polyfill first.
import "reflect-metadata";
import { createHash, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM text, in order (a `.crt` file of Alipay's may hold several). */
function splitCertificates(pem: string): string[] {
  return pem.match(PEM_CERTIFICATE) ?? [];
}

/**
 * docs/alipay-protocol.md §19.4: a certificate's SN is the hex md5 of its issuer DN — the attributes in reverse order,
 * each `short name=value`, joined by `,` — followed by its serial number in decimal. Of a file with several
 * certificates, the first. Throws when the text holds no certificate.
 */
export function certificateSn(pem: string): string {
  const first = splitCertificates(pem)[0];
  if (!first) throw new Error("no PEM certificate (-----BEGIN CERTIFICATE-----) in the text");
  const certificate = new X509Certificate(first);
  const issuer = certificate.issuer.split("\n").reverse().join(",");
  const serial = BigInt(`0x${certificate.serialNumber}`).toString(10);
  return createHash("md5").update(`${issuer}${serial}`, "utf8").digest("hex");
}

function signatureAlgorithmOf(pem: string): string | undefined {
  return (new x509.X509Certificate(pem).signatureAlgorithm as { name?: string }).name;
}

/** §19.4: the root SN joins, with `_`, the SNs of the bundle's certificates that are signed with RSA (not ECDSA/SM2). */
export function rootCertificateSn(pem: string): string {
  return splitCertificates(pem)
    .filter((one) => signatureAlgorithmOf(one) === "RSASSA-PKCS1-v1_5")
    .map(certificateSn)
    .join("_");
}
