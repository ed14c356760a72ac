import { createSign, createVerify, generateKeyPairSync } from "node:crypto";
import { describe, expect, test } from "vitest";
import { KeyFormatError, parsePrivateKey, parsePublicKey } from "../src/alipay/keys.ts";
import { ConfigError, loadConfig } from "../src/env.ts";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pkcs1 = privateKey.export({ format: "pem", type: "pkcs1" }).toString();
const pkcs8 = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const spki = publicKey.export({ format: "pem", type: "spki" }).toString();
// Alipay's key pair is not the app's: the app's own public key in ALIPAY_PUBLIC_KEY is refused (startup-checks.test).
const alipaySpki = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .publicKey.export({ format: "pem", type: "spki" })
  .toString();
const body = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");

function signsLikeTheOriginal(parsed: ReturnType<typeof parsePrivateKey>): boolean {
  const signature = createSign("RSA-SHA256").update("app_id=1&method=x").sign(parsed.keyObject, "base64");
  return createVerify("RSA-SHA256").update("app_id=1&method=x").verify(publicKey, signature, "base64");
}

describe("private keys in every shape merchants paste them", () => {
  test.each([
    ["PKCS1 PEM", pkcs1, "PKCS1"],
    ["PKCS8 PEM", pkcs8, "PKCS8"],
    ["bare PKCS8 base64 (Alipay's key tool)", body(pkcs8), "PKCS8"],
    ["bare PKCS1 base64", body(pkcs1), "PKCS1"],
    ["one line with literal \\n escapes", pkcs8.trim().replace(/\n/g, "\\n"), "PKCS8"],
    ["CRLF line ends and a trailing blank line", pkcs1.replace(/\n/g, "\r\n") + "\r\n\r\n", "PKCS1"],
    ["wrapped in quotes from a .env file", `"${pkcs8.trim().replace(/\n/g, "\\n")}"`, "PKCS8"],
  ])("%s is read and signs", (_name, input, format) => {
    const parsed = parsePrivateKey(input);
    expect(parsed.inputFormat).toBe(format);
    expect(signsLikeTheOriginal(parsed)).toBe(true);
    expect(parsed.pkcs8Pem).toContain("-----BEGIN PRIVATE KEY-----");
  });

  test("a public key pasted as the private key is refused with what to check", () => {
    expect(() => parsePrivateKey(spki, "ALIPAY_PRIVATE_KEY")).toThrow(/ALIPAY_PRIVATE_KEY could not be read/);
  });

  test("text that is not a key is refused", () => {
    expect(() => parsePrivateKey("hello world!", "ALIPAY_PRIVATE_KEY")).toThrow(KeyFormatError);
  });
});

describe("Alipay public keys", () => {
  test("PEM and bare base64 read the same key", () => {
    expect(parsePublicKey(spki).pem).toBe(parsePublicKey(body(spki)).pem);
  });

  test("a certificate in public-key mode is refused with the mode to use", () => {
    expect(() =>
      parsePublicKey("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "ALIPAY_PUBLIC_KEY"),
    ).toThrow(/set ALIPAY_KEY_MODE=cert/);
  });
});

describe("Alipay configuration", () => {
  // A real app id needs explicit secrets (issue 21 finding 1): the published development ones would be refused.
  const base = {
    ALIPAY_APP_ID: "2021000000000001",
    ALIPAY_PRIVATE_KEY: body(pkcs8),
    ALIPAY_PUBLIC_KEY: body(alipaySpki),
    ADMIN_API_KEY: "alipay-keys-test-admin-key",
    SESSION_SECRET: "alipay-keys-test-session-secret-0123456789",
  };

  test("public-key mode with keys in any shape", () => {
    const config = loadConfig(base);
    expect(config.alipay).toMatchObject({ mode: "public-key", appId: "2021000000000001", signType: "RSA2" });
  });

  test("a missing Alipay public key is named, and the app public key confusion is called out", () => {
    expect(() => loadConfig({ ...base, ALIPAY_PUBLIC_KEY: "" })).toThrow(
      /ALIPAY_PUBLIC_KEY: is required in public-key mode \(the Alipay public key, not the app public key\)/,
    );
  });

  test("cert mode requires its three certificates", () => {
    expect(() => loadConfig({ ...base, ALIPAY_KEY_MODE: "cert" })).toThrow(/ALIPAY_APP_CERT[\s\S]*ALIPAY_ROOT_CERT/);
  });

  test("an unreadable private key stops start-up with a configuration error", () => {
    expect(() => loadConfig({ ...base, ALIPAY_PRIVATE_KEY: "not a key" })).toThrow(ConfigError);
  });

  test("production requires Alipay and the notify URL", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/ALIPAY_NOTIFY_URL: is required in production/);
  });
});
