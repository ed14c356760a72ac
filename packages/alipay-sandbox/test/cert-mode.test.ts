import { AlipaySdk } from "alipay-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  certificateSn,
  createSandbox,
  createSandboxCertificates,
  issueAppCertificate,
  rootCertificateSn,
  type Sandbox,
  type SandboxCertificates,
} from "../src/index.ts";
import { APP_ID, testKeys } from "./support/sandbox-harness.ts";

// Public-key certificate mode (docs/alipay-protocol.md §19.3–19.4): real X.509 certificates issued by the sandbox,
// the SNs computed as Alipay documents and compared with the official Node SDK's own computation.
let certificates: SandboxCertificates;
let appCert: string;
let sandbox: Sandbox;

beforeAll(async () => {
  const keys = testKeys();
  certificates = await createSandboxCertificates(keys.alipay);
  appCert = await issueAppCertificate(certificates, { appId: APP_ID, publicKey: keys.app.publicKey });
  sandbox = createSandbox({
    alipayKeys: keys.alipay,
    apps: [{ appId: APP_ID, publicKey: keys.app.publicKey, appCert }],
    certificates,
    // alipay-sdk stamps the host's local time: format checks only (the tolerance has tests of its own).
    timestampToleranceMinutes: null,
  });
  await sandbox.listen(0);
});
afterAll(() => sandbox.close());

function certSdk(overrides: Partial<ConstructorParameters<typeof AlipaySdk>[0]> = {}): AlipaySdk {
  return new AlipaySdk({
    appId: APP_ID,
    privateKey: testKeys().app.privateKey,
    appCertContent: appCert,
    alipayPublicCertContent: certificates.alipayPublicCert,
    alipayRootCertContent: certificates.alipayRootCert,
    gateway: sandbox.gatewayUrl,
    camelcase: false,
    ...overrides,
  });
}

const query = { bizContent: { agreement_no: "20260000000000000000" } };

describe("certificate SNs", () => {
  it("the app, Alipay and root SNs equal alipay-sdk's own computation", () => {
    const sdk = certSdk();
    expect(certificateSn(appCert)).toBe(sdk.config.appCertSn);
    expect(certificateSn(certificates.alipayPublicCert)).toBe(sdk.config.alipayCertSn);
    expect(rootCertificateSn(certificates.alipayRootCert)).toBe(sdk.config.alipayRootCertSn);
  });

  it("the root SN joins only the RSA-signed roots: the bundle's ECDSA root is left out", () => {
    const bundle = certificates.alipayRootCert.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
    expect(bundle).toHaveLength(2);
    const sn = rootCertificateSn(certificates.alipayRootCert);
    expect(sn).toMatch(/^[0-9a-f]{32}$/);
    expect(sn).toBe(certificateSn(certificates.alipayRootCert));
  });

  it("the Alipay certificate file holds the leaf, then its issuing CA; the leaf carries the Alipay public key", () => {
    const sdk = certSdk();
    expect(certificates.alipayPublicCert.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    const pem = (key: string) => key.replace(/-----[A-Z ]+-----|\s/g, "");
    expect(pem(sdk.config.alipayPublicKey ?? "")).toBe(pem(testKeys().alipay.publicKey));
  });
});

describe("the gateway in certificate mode", () => {
  it("accepts the SDK in certificate mode and answers with alipay_cert_sn, which the SDK verifies", async () => {
    const sdk = certSdk();
    const answer = await sdk.exec("alipay.user.agreement.query", query, { validateSign: true });
    expect(answer.sub_code).toBe("USER_AGREEMENT_NOT_EXIST");
    const params = new URLSearchParams({
      app_id: APP_ID,
      method: "alipay.user.agreement.query",
      timestamp: "2026-11-30 10:00:00",
      version: "1.0",
      sign_type: "RSA2",
      sign: "x",
    });
    const raw = await (await fetch(`${sandbox.gatewayUrl}?${params.toString()}`)).text();
    expect(raw).toMatch(/^\{"alipay_user_agreement_query_response":\{.*\},"alipay_cert_sn":"[0-9a-f]{32}","sign":"/);
    expect(raw).toContain(`"alipay_cert_sn":"${certificateSn(certificates.alipayPublicCert)}"`);
  });

  it("refuses a request without app_cert_sn (a public-key-mode client)", async () => {
    const sdk = new AlipaySdk({
      appId: APP_ID,
      privateKey: testKeys().app.privateKey,
      alipayPublicKey: testKeys().alipay.publicKey,
      gateway: sandbox.gatewayUrl,
      camelcase: false,
    });
    const answer = await sdk.exec("alipay.user.agreement.query", query, { validateSign: true });
    expect(answer).toMatchObject({ code: "40001", sub_code: "isv.missing-app-cert-sn" });
  });

  it("refuses an unknown app certificate SN and a wrong root certificate SN", async () => {
    const other = await issueAppCertificate(certificates, { appId: APP_ID, publicKey: testKeys().app.publicKey });
    const withOtherCert = await certSdk({ appCertContent: other }).exec("alipay.user.agreement.query", query, {
      validateSign: true,
    });
    expect(withOtherCert).toMatchObject({ code: "40002", sub_code: "isv.app-cert-not-exist" });

    const otherRoot = (await createSandboxCertificates(testKeys().alipay)).alipayRootCert;
    const withOtherRoot = await certSdk({ alipayRootCertContent: otherRoot }).exec(
      "alipay.user.agreement.query",
      query,
      { validateSign: true },
    );
    expect(withOtherRoot).toMatchObject({ code: "40002", sub_code: "isv.invalid-alipay-root-cert-sn" });
  });
});
