import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from "node:crypto";

// Alipay keys arrive in many shapes (docs/user-pain-points.md §B.4): a PEM, the bare base64 body that Alipay's key tool
// shows, a one-line environment value with literal `\n` escapes, PKCS1 or PKCS8. They are normalised once here.

export type ParsedPrivateKey = {
  /** Parsed once; signing with it never re-parses a PEM. */
  keyObject: KeyObject;
  /** PKCS8 PEM, for libraries that insist on text (alipay-sdk with keyType PKCS8). */
  pkcs8Pem: string;
  /** What the input was, for messages. */
  inputFormat: "PKCS1" | "PKCS8";
};

export class KeyFormatError extends Error {
  override name = "KeyFormatError";
}

function unescape(value: string): string {
  return value
    .trim()
    .replace(/^["']|["']$/g, "")
    .replace(/\\r/g, "")
    .replace(/\\n/g, "\n")
    .trim();
}

function base64Body(value: string): string {
  return value.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
}

export function parsePrivateKey(input: string, name = "private key"): ParsedPrivateKey {
  const text = unescape(input);
  const body = base64Body(text);
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) {
    throw new KeyFormatError(
      `The ${name} is neither a PEM nor base64; paste the key text as Alipay's key tool shows it.`,
    );
  }
  const der = Buffer.from(body, "base64");
  const attempts: Array<["PKCS1" | "PKCS8", () => KeyObject]> = text.includes("BEGIN RSA PRIVATE KEY")
    ? [["PKCS1", () => createPrivateKey({ key: der, format: "der", type: "pkcs1" })]]
    : [
        ["PKCS8", () => createPrivateKey({ key: der, format: "der", type: "pkcs8" })],
        ["PKCS1", () => createPrivateKey({ key: der, format: "der", type: "pkcs1" })],
      ];
  for (const [inputFormat, parse] of attempts) {
    try {
      const keyObject = parse();
      if (keyObject.asymmetricKeyType !== "rsa") throw new KeyFormatError(`The ${name} is not an RSA key.`);
      const pkcs8Pem = keyObject.export({ format: "pem", type: "pkcs8" }).toString();
      return { keyObject, pkcs8Pem, inputFormat };
    } catch (error) {
      if (error instanceof KeyFormatError) throw error;
    }
  }
  throw new KeyFormatError(
    `The ${name} could not be read as an RSA private key (PKCS1 or PKCS8). Check that it is the app private key, ` +
      `complete, and not the public key.`,
  );
}

export type ParsedPublicKey = { keyObject: KeyObject; pem: string };

export function parsePublicKey(input: string, name = "public key"): ParsedPublicKey {
  const text = unescape(input);
  if (text.includes("BEGIN CERTIFICATE")) {
    throw new KeyFormatError(
      `The ${name} is a certificate. In certificate mode set ALIPAY_KEY_MODE=cert and the ALIPAY_*_CERT variables; ` +
        `in public-key mode paste the Alipay public key itself.`,
    );
  }
  const body = base64Body(text);
  const der = Buffer.from(body, "base64");
  for (const type of ["spki", "pkcs1"] as const) {
    try {
      const keyObject = createPublicKey({ key: der, format: "der", type });
      return { keyObject, pem: keyObject.export({ format: "pem", type: "spki" }).toString() };
    } catch {
      // try the next encoding
    }
  }
  throw new KeyFormatError(`The ${name} could not be read as an RSA public key (PEM or base64).`);
}

export function parseCertificate(input: string, name = "certificate"): string {
  const text = unescape(input);
  try {
    new X509Certificate(text.split(/(?=-----BEGIN CERTIFICATE-----)/)[0] ?? text);
  } catch {
    throw new KeyFormatError(`The ${name} is not a PEM certificate (-----BEGIN CERTIFICATE-----).`);
  }
  return text;
}
