import { AlipaySdk } from "alipay-sdk";
import {
  createSandbox,
  generateRsaKeyPair,
  type RsaKeyPair,
  type Sandbox,
  type SandboxOptions,
  type SandboxUserView as UserView,
  type SignCenterResult as SignResult,
} from "../../src/index.ts";

export const APP_ID = "2021000000000001";

/** One app key pair and one Alipay key pair per test file (2048-bit keys take a moment). */
let cachedKeys: { app: RsaKeyPair; alipay: RsaKeyPair } | null = null;
export function testKeys(): { app: RsaKeyPair; alipay: RsaKeyPair } {
  cachedKeys ??= { app: generateRsaKeyPair(), alipay: generateRsaKeyPair() };
  return cachedKeys;
}

export type Harness = {
  sandbox: Sandbox;
  url: string;
  sdk: AlipaySdk;
  sdkFor(overrides: Partial<ConstructorParameters<typeof AlipaySdk>[0]>): AlipaySdk;
  post<T = unknown>(path: string, body?: unknown): Promise<{ status: number; body: T }>;
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
};

export async function startHarness(options: SandboxOptions = {}): Promise<Harness> {
  const keys = testKeys();
  const sandbox = createSandbox({
    alipayKeys: keys.alipay,
    apps: [{ appId: APP_ID, publicKey: keys.app.publicKey, name: "Test merchant" }],
    // alipay-sdk stamps the host's local time, and these tests move the simulated clock: format checks only, unless
    // a test asks for a tolerance.
    timestampToleranceMinutes: null,
    ...options,
  });
  const url = await sandbox.listen(0);
  const sdkFor = (overrides: Partial<ConstructorParameters<typeof AlipaySdk>[0]>) =>
    new AlipaySdk({
      appId: APP_ID,
      privateKey: keys.app.privateKey,
      alipayPublicKey: keys.alipay.publicKey,
      gateway: `${url}/gateway.do`,
      camelcase: false,
      ...overrides,
    });
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  return {
    sandbox,
    url,
    sdk: sdkFor({}),
    sdkFor,
    post: (path, body) => call("POST", path, body ?? {}),
    get: (path) => call("GET", path),
  };
}

export type { SandboxUserView as UserView, SignCenterResult as SignResult } from "../../src/index.ts";

export const MONTHLY_BIZ = {
  product_code: "GENERAL_WITHHOLDING",
  personal_product_code: "CYCLE_PAY_AUTH_P",
  sign_scene: "INDUSTRY|DIGITAL_MEDIA",
  access_params: { channel: "ALIPAYAPP" },
  period_rule_params: { period_type: "MONTH", period: 1, execute_time: "2026-12-01", single_amount: "19.90" },
};

let externalCounter = 0;
export function nextExternalNo(): string {
  externalCounter += 1;
  return `EXT${Date.now()}${externalCounter}`;
}

/** signStr exactly as the server hands it to my.paySignCenter: encodeURIComponent(sdkExecute output). */
export function sdkExecuteWith(sdk: AlipaySdk, bizContent: Record<string, unknown>, params: Record<string, string>) {
  return encodeURIComponent(
    sdk.sdkExecute("alipay.user.agreement.page.sign", { ...params, bizContent }, { bizContentAutoSnakeCase: false }),
  );
}

export async function createUser(harness: Harness, body: Record<string, string> = {}): Promise<UserView> {
  return (await harness.post<UserView>("/sandbox/users", body)).body;
}

export async function signAgreement(
  harness: Harness,
  options: { userId: string; biz?: Record<string, unknown>; notifyUrl?: string },
): Promise<{ result: SignResult; agreementNo: string }> {
  const biz = options.biz ?? { ...MONTHLY_BIZ, external_agreement_no: nextExternalNo() };
  const signStr = sdkExecuteWith(harness.sdk, biz, options.notifyUrl ? { notifyUrl: options.notifyUrl } : {});
  const { body } = await harness.post<SignResult>("/sandbox/sign-center", {
    signStr,
    userId: options.userId,
    decision: "confirm",
  });
  const agreementNo =
    body.resultStatus === "7000"
      ? (JSON.parse(body.result) as { alipay_user_agreement_page_sign_response: { agreement_no: string } })
          .alipay_user_agreement_page_sign_response.agreement_no
      : "";
  return { result: body, agreementNo };
}
