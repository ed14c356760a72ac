import { createPrivateKey, createSign, randomBytes, type KeyObject } from "node:crypto";
import { defined } from "@paysign/test-kit";
import { AlipaySdk } from "alipay-sdk";

// The two peers of `signstr`, run in this process while the server is idle: what issuing a signStr costs when each
// call is done the way alipay-sdk's README shows, and what RSA-2048 SHA-256 signing alone allows.

export type SdkKeys = { appId: string; appPrivateKey: string; alipayPublicKey: string; gateway: string };

const pageSignMethod = "alipay.user.agreement.page.sign";

/** A biz_content shaped like the server's (pageSignBizContent), with a fresh external_agreement_no each call. */
function sampleBizContent(): Record<string, unknown> {
  return {
    personal_product_code: "CYCLE_PAY_AUTH_P",
    product_code: "GENERAL_WITHHOLDING",
    sign_scene: "INDUSTRY|DIGITAL_MEDIA",
    external_agreement_no: `PS20261122${randomBytes(11).toString("hex").toUpperCase()}`,
    access_params: { channel: "ALIPAYAPP" },
    period_rule_params: { period_type: "MONTH", period: 1, execute_time: "2026-11-22", single_amount: "19.90" },
  };
}

const notifyUrl = "http://127.0.0.1:3000/alipay/notify";

/** The README way: a new AlipaySdk with the PEM, then sdkExecute, for every signStr. */
export function naiveSignStr(keys: SdkKeys): string {
  const sdk = new AlipaySdk({
    appId: keys.appId,
    privateKey: keys.appPrivateKey,
    alipayPublicKey: keys.alipayPublicKey,
    gateway: keys.gateway,
  });
  return encodeURIComponent(sdk.sdkExecute(pageSignMethod, { bizContent: sampleBizContent(), notifyUrl }));
}

/** One AlipaySdk for the process, still signing with the PEM string each call. */
export function reusedSdk(keys: SdkKeys): () => string {
  const sdk = new AlipaySdk({
    appId: keys.appId,
    privateKey: keys.appPrivateKey,
    alipayPublicKey: keys.alipayPublicKey,
    gateway: keys.gateway,
  });
  return () => encodeURIComponent(sdk.sdkExecute(pageSignMethod, { bizContent: sampleBizContent(), notifyUrl }));
}

/** The content sdkExecute signs (its params sorted, `sign` left out), so the limit peer signs the same bytes. */
export function signContentOf(keys: SdkKeys): string {
  const params = new URLSearchParams(decodeURIComponent(naiveSignStr(keys)));
  params.delete("sign");
  return [...params.keys()]
    .sort()
    .map((key) => `${key}=${params.get(key)}`)
    .join("&");
}

/** The limit: RSA-2048 SHA-256 with a parsed KeyObject, nothing else. */
export function keyObjectSigner(keys: SdkKeys, content: string): () => string {
  const key: KeyObject = createPrivateKey(keys.appPrivateKey);
  return () => createSign("RSA-SHA256").update(content, "utf8").sign(key, "base64");
}

/** Calls per second of `task` over `seconds`, after a short warm-up. */
function measureLoop(task: () => unknown, seconds: number): number {
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) task();
  let calls = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  let now = started;
  while (now < until) {
    task();
    calls += 1;
    if (calls % 16 === 0) now = performance.now();
  }
  return calls / ((performance.now() - started) / 1000);
}

/** Runs the loops in turns (A B C, A B C, …) so noise on a shared machine falls on each alike; medians. */
export function measureInTurns(tasks: Record<string, () => unknown>, options: { rounds: number; seconds: number }) {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(tasks).map((name) => [name, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, task] of Object.entries(tasks)) samples[name]?.push(measureLoop(task, options.seconds));
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = defined(sorted[middle], "a sample");
  return sorted.length % 2 ? upper : (defined(sorted[middle - 1], "a sample") + upper) / 2;
}
