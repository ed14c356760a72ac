import { generateRsaKeyPair, parsePrivateKey, parsePublicKey, type RsaKeyPair } from "./crypto/keys.ts";
import type { SignType } from "./crypto/rsa.ts";
import type { AlipayCharset, EmptyValues } from "@paysign/contracts/alipay";
import type { KeyObject } from "node:crypto";
import { DEFAULT_DEDUCT_WINDOW_DAYS } from "@paysign/contracts/alipay";
import { alipayAmountToFen } from "@paysign/contracts";
import type { UserIdType } from "./users/user-identity.ts";
import { certificateSn, rootCertificateSn } from "./crypto/cert-sn.ts";

export type RegisteredApp = {
  appId: string;
  /** The app's public key (PEM, bare base64 or one line with `\n`), used to verify its requests. */
  publicKey: string;
  /** Shown on the signing page as the merchant. */
  name?: string;
  /** How the app knows its users: `user_id` (default) or `open_id` (docs/alipay-protocol.md §19.1). */
  userIdType?: UserIdType;
  /** Certificate mode: the app's public-key certificate (PEM) the sandbox issued (`issueAppCertificate`). */
  appCert?: string;
  /** The app's sign type (接口加签方式): its notifications are signed with it. Default RSA2 (§18.2). */
  signType?: SignType;
  /** The charset of the app's notifications (form bytes, signature, Content-Type). Default utf-8 (§18.1). */
  charset?: AlipayCharset;
  /** Parameters added with an empty value to every notification for this app, e.g. `passback_params` (§18.3). */
  emptyNotifyFields?: string[];
  /**
   * The app gateway (应用网关) set in the Alipay console (§17.4): user-initiated unsigns and other app-level messages
   * go here, never to a sign notify_url. Absent or null: they are not sent at all.
   */
  appGatewayUrl?: string | null;
};

/** A registered app with its parsed key and, in certificate mode, its certificate's SN (§19.4). */
export type AppEntry = { app: RegisteredApp; publicKey: KeyObject; appCertSn: string | null };

export function appEntry(app: RegisteredApp): AppEntry {
  return { app, publicKey: parsePublicKey(app.publicKey), appCertSn: app.appCert ? certificateSn(app.appCert) : null };
}

export type SandboxOptions = {
  /** The sandbox's own "Alipay" key pair; generated (RSA 2048) when absent. */
  alipayKeys?: RsaKeyPair;
  apps?: RegisteredApp[];
  /**
   * Public-key certificate mode (公钥证书, docs/alipay-protocol.md §19.3): the root bundle and the Alipay public-key
   * certificate (`createSandboxCertificates`). Requests must then carry `app_cert_sn` and `alipay_root_cert_sn`, and
   * answers carry `alipay_cert_sn`. Default: absent, public-key mode.
   */
  certificates?: { alipayRootCert: string; alipayPublicCert: string };
  /** Real milliseconds per simulated millisecond for notification retries: 0.001 turns 4 minutes into 240 ms. */
  timeScale?: number;
  /** Deduction window N: a deduction must fall in [D−N, D] (§11.3; 5 per the 2024 doc, 3 in 2020). */
  deductionWindowDays?: number;
  /**
   * Product cap on `single_amount` at signing, in yuan (§11.7: 100 CNY for 周期扣款 in 2020, [UNCERTAIN] today).
   * Default null: no cap. Set "100.00" to reproduce the 2020 rule.
   */
  singleAmountCap?: string | null;
  /** At most this many live (TEMP or NORMAL) agreements per user per app (§11.10). */
  maxLiveAgreementsPerUser?: number;
  /**
   * Accepted distance between the request `timestamp` (Beijing time) and the simulated clock, as Alipay refuses a
   * timestamp far from its own time with isv.invalid-timestamp (§18.4). Default 15; null checks only the format (for
   * clients that stamp the host's local time and cannot follow a moved clock).
   */
  timestampToleranceMinutes?: number | null;
  /**
   * Whether the text a notification is signed over holds its empty parameters as `k=` ("keep", default) or leaves
   * them out ("skip"); Alipay's own SDKs disagree (docs/alipay-protocol.md §18.3).
   */
  notifyEmptyValues?: EmptyValues;
  /** executionplan.modify limits of 2020 (§7) [UNCERTAIN]; both off by default like the 2024 doc. */
  executionPlanModify?: { withinOnePeriod?: boolean; maxCount?: number | null };
  /** JSON file the state is written to after every change and read at start. */
  stateFile?: string | null;
  /** How long a `timeout` fault holds the socket before destroying it (real ms). */
  timeoutFaultMs?: number;
  /** How long a `pay-in-process` trade stays WAIT_BUYER_PAY before it settles as TRADE_SUCCESS (real ms). */
  payInProcessSettleMs?: number;
  /** Per-attempt HTTP timeout for notification deliveries (real ms). */
  notifyTimeoutMs?: number;
  /** Balance of users created without one, in yuan. */
  defaultBalance?: string;
};

export type SandboxConfig = {
  alipayKeys: RsaKeyPair;
  alipayPrivateKey: KeyObject;
  apps: Map<string, AppEntry>;
  /** Certificate mode's SNs (§19.4); null in public-key mode. */
  certificates: { alipayRootCertSn: string; alipayCertSn: string } | null;
  timeScale: number;
  deductionWindowDays: number;
  singleAmountCapFen: number | null;
  maxLiveAgreementsPerUser: number;
  timestampToleranceMinutes: number | null;
  notifyEmptyValues: EmptyValues;
  modifyWithinOnePeriod: boolean;
  modifyMaxCount: number | null;
  stateFile: string | null;
  timeoutFaultMs: number;
  payInProcessSettleMs: number;
  notifyTimeoutMs: number;
  defaultBalanceFen: number;
};

function requireFen(value: string, name: string): number {
  const fen = alipayAmountToFen(value);
  if (fen === undefined) throw new Error(`${name} must be a yuan amount like "100.00", got ${JSON.stringify(value)}`);
  return fen;
}

/** docs/alipay-protocol.md §18.4: Alipay publishes no number; 15 minutes is our stated default [uncertain]. */
const DEFAULT_TIMESTAMP_TOLERANCE_MINUTES = 15;

export function resolveConfig(options: SandboxOptions): SandboxConfig {
  const alipayKeys = options.alipayKeys ?? generateRsaKeyPair();
  const apps = new Map<string, AppEntry>();
  for (const app of options.apps ?? []) apps.set(app.appId, appEntry(app));
  const certificates = options.certificates
    ? {
        alipayRootCertSn: rootCertificateSn(options.certificates.alipayRootCert),
        alipayCertSn: certificateSn(options.certificates.alipayPublicCert),
      }
    : null;
  const cap = options.singleAmountCap ?? null;
  return {
    alipayKeys,
    alipayPrivateKey: parsePrivateKey(alipayKeys.privateKey),
    apps,
    certificates,
    timeScale: options.timeScale ?? 1,
    deductionWindowDays: options.deductionWindowDays ?? DEFAULT_DEDUCT_WINDOW_DAYS,
    singleAmountCapFen: cap === null ? null : requireFen(cap, "singleAmountCap"),
    maxLiveAgreementsPerUser: options.maxLiveAgreementsPerUser ?? 10,
    timestampToleranceMinutes:
      options.timestampToleranceMinutes === undefined
        ? DEFAULT_TIMESTAMP_TOLERANCE_MINUTES
        : options.timestampToleranceMinutes,
    notifyEmptyValues: options.notifyEmptyValues ?? "keep",
    modifyWithinOnePeriod: options.executionPlanModify?.withinOnePeriod ?? false,
    modifyMaxCount: options.executionPlanModify?.maxCount ?? null,
    stateFile: options.stateFile ?? null,
    timeoutFaultMs: options.timeoutFaultMs ?? 60_000,
    payInProcessSettleMs: options.payInProcessSettleMs ?? 1_000,
    notifyTimeoutMs: options.notifyTimeoutMs ?? 5_000,
    defaultBalanceFen: requireFen(options.defaultBalance ?? "1000.00", "defaultBalance"),
  };
}
