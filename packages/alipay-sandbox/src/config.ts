import { generateRsaKeyPair, parsePrivateKey, parsePublicKey, type RsaKeyPair } from "./crypto/keys.ts";
import type { KeyObject } from "node:crypto";
import { DEFAULT_DEDUCT_WINDOW_DAYS } from "@paysign/contracts/alipay";
import { alipayAmountToFen } from "@paysign/contracts";

export type RegisteredApp = {
  appId: string;
  /** The app's public key (PEM, bare base64 or one line with `\n`), used to verify its requests. */
  publicKey: string;
  /** Shown on the signing page as the merchant. */
  name?: string;
  /**
   * The app gateway (应用网关) set in the Alipay console (§17.4): user-initiated unsigns and other app-level messages
   * go here, never to a sign notify_url. Absent or null: they are not sent at all.
   */
  appGatewayUrl?: string | null;
};

export type SandboxOptions = {
  /** The sandbox's own "Alipay" key pair; generated (RSA 2048) when absent. */
  alipayKeys?: RsaKeyPair;
  apps?: RegisteredApp[];
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
   * Accepted distance between the request `timestamp` (Beijing time) and the simulated clock. Default null: only the
   * format is checked, because SDKs format the timestamp in the machine's local zone and the clock may be moved.
   */
  timestampToleranceMinutes?: number | null;
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
  apps: Map<string, { app: RegisteredApp; publicKey: KeyObject }>;
  timeScale: number;
  deductionWindowDays: number;
  singleAmountCapFen: number | null;
  maxLiveAgreementsPerUser: number;
  timestampToleranceMinutes: number | null;
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

export function resolveConfig(options: SandboxOptions): SandboxConfig {
  const alipayKeys = options.alipayKeys ?? generateRsaKeyPair();
  const apps = new Map<string, { app: RegisteredApp; publicKey: KeyObject }>();
  for (const app of options.apps ?? []) apps.set(app.appId, { app, publicKey: parsePublicKey(app.publicKey) });
  const cap = options.singleAmountCap ?? null;
  return {
    alipayKeys,
    alipayPrivateKey: parsePrivateKey(alipayKeys.privateKey),
    apps,
    timeScale: options.timeScale ?? 1,
    deductionWindowDays: options.deductionWindowDays ?? DEFAULT_DEDUCT_WINDOW_DAYS,
    singleAmountCapFen: cap === null ? null : requireFen(cap, "singleAmountCap"),
    maxLiveAgreementsPerUser: options.maxLiveAgreementsPerUser ?? 10,
    timestampToleranceMinutes: options.timestampToleranceMinutes ?? null,
    modifyWithinOnePeriod: options.executionPlanModify?.withinOnePeriod ?? false,
    modifyMaxCount: options.executionPlanModify?.maxCount ?? null,
    stateFile: options.stateFile ?? null,
    timeoutFaultMs: options.timeoutFaultMs ?? 60_000,
    payInProcessSettleMs: options.payInProcessSettleMs ?? 1_000,
    notifyTimeoutMs: options.notifyTimeoutMs ?? 5_000,
    defaultBalanceFen: requireFen(options.defaultBalance ?? "1000.00", "defaultBalance"),
  };
}
