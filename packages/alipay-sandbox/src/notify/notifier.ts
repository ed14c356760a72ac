import type { KeyObject } from "node:crypto";
import iconv from "iconv-lite";
import type { SandboxConfig } from "../config.ts";
import { signText } from "../crypto/rsa.ts";
import type { FaultStore } from "../faults/fault-store.ts";
import type { SandboxClock } from "../state/clock.ts";
import { createNotifyId } from "../state/ids.ts";
import type { StateStore } from "../state/store.ts";
import type { NotificationAttempt, NotificationRecord } from "../state/types.ts";
import { formatAlipayDateTime } from "@paysign/contracts";
import { buildNotifySignContent, type AlipayCharset, type EmptyValues } from "@paysign/contracts/alipay";
import { postForm } from "./deliver.ts";
import { encodeForm } from "./form-encoding.ts";
import { RETRY_DELAYS_MS } from "./retry-schedule.ts";

type NotifyInput = {
  notifyType: string;
  url: string;
  params: Record<string, string>;
  /** The charset of the request the notification answers, if it named one; it wins over the app's (§18.1). */
  charset?: AlipayCharset | undefined;
};

export type Notifier = {
  /** Signs and queues a notification; the first attempt goes out at once (unless a fault holds it). */
  send(input: NotifyInput): NotificationRecord;
  redeliver(notifyId: string): Promise<NotificationRecord | null>;
  /** Resolves when no attempt is running or due before the next scheduled retry. */
  idle(): Promise<void>;
  /** Attempts whose simulated due time has passed after a clock move go out now. */
  handleClockChange(): void;
  resumePending(): void;
  /** Forgets pending retries and held notifications (state reset). */
  reset(): void;
  close(): void;
};

type Pending = { record: NotificationRecord; dueAtMs: number; timer: NodeJS.Timeout };

export type NotifierDeps = {
  store: StateStore;
  clock: SandboxClock;
  faults: FaultStore;
  alipayPrivateKey: KeyObject;
  /** The registered apps: a notification follows its app's sign type, charset and empty fields (§18.1–§18.3). */
  apps: SandboxConfig["apps"];
  notifyEmptyValues: EmptyValues;
  timeScale: number;
  notifyTimeoutMs: number;
};

export function createNotifier(deps: NotifierDeps): Notifier {
  const pending = new Map<string, Pending>();
  const running = new Set<Promise<void>>();
  let held: NotificationRecord[] = [];
  /** Notifications a `lose-notify` fault took: every delivery of theirs is dropped. */
  const lost = new Set<string>();
  let closed = false;

  const track = (work: Promise<void>) => {
    running.add(work);
    void work.finally(() => running.delete(work));
  };

  const delivery = (target: NotificationRecord) => ({
    url: target.url,
    body: target.rawBody,
    charset: target.charset,
    timeoutMs: deps.notifyTimeoutMs,
  });

  const attemptAt = (dueAtMs: number) => new Date(Math.max(deps.clock.now().getTime(), dueAtMs)).toISOString();

  const record = (target: NotificationRecord, attempt: NotificationAttempt) => {
    target.attempts.push(attempt);
    deps.store.save();
  };

  const genuineAttempts = (target: NotificationRecord) =>
    target.attempts.filter((attempt) => attempt.note === undefined || attempt.note === "dropped").length;

  const schedule = (target: NotificationRecord, fromMs: number) => {
    const index = genuineAttempts(target);
    if (closed || target.delivered || index >= RETRY_DELAYS_MS.length) return;
    const delay = RETRY_DELAYS_MS[index] ?? 0;
    const dueAtMs = fromMs + delay;
    const timer = setTimeout(() => fire(target.notifyId), delay * deps.timeScale);
    pending.set(target.notifyId, { record: target, dueAtMs, timer });
  };

  const fire = (notifyId: string) => {
    const entry = pending.get(notifyId);
    if (!entry) return;
    clearTimeout(entry.timer);
    pending.delete(notifyId);
    track(attempt(entry.record, entry.dueAtMs));
  };

  const attempt = async (target: NotificationRecord, dueAtMs: number) => {
    const at = attemptAt(dueAtMs);
    const first = genuineAttempts(target) === 0;
    if (first && deps.faults.take(target.notifyType, ["lose-notify"])) lost.add(target.notifyId);
    const dropped = lost.has(target.notifyId) || (first && deps.faults.take(target.notifyType, ["drop-notify"]));
    if (dropped) {
      record(target, { at, httpStatus: 0, body: "", note: "dropped" });
    } else {
      const outcome = await postForm(delivery(target));
      record(target, { at, ...outcome });
      if (outcome.body === "success") target.delivered = true;
      // reorder-notify: what was held goes out only once this later notification has been answered.
      if (held.length > 0) releaseHeld();
      const firstDelivery = target.attempts.filter((attempt) => attempt.note === undefined).length === 1;
      if (firstDelivery && deps.faults.take(target.notifyType, ["duplicate-notify"])) {
        const copy = await postForm(delivery(target));
        record(target, { at: deps.clock.now().toISOString(), ...copy, note: "duplicate" });
        if (copy.body === "success") target.delivered = true;
      }
    }
    deps.store.save();
    schedule(target, new Date(at).getTime());
  };

  const sendForged = async (target: NotificationRecord) => {
    const forged = { ...target.params, sign: signText(`${target.rawBody}#forged`, deps.alipayPrivateKey) };
    const body = encodeForm(forged, target.charset);
    const outcome = await postForm({ ...delivery(target), body });
    record(target, { at: deps.clock.now().toISOString(), ...outcome, note: "forged" });
  };

  const start = (target: NotificationRecord) => {
    track(
      (async () => {
        if (deps.faults.take(target.notifyType, ["bad-sign-notify"])) await sendForged(target);
        schedule(target, deps.clock.now().getTime());
      })(),
    );
  };

  const releaseHeld = () => {
    const released = held;
    held = [];
    for (const target of released) start(target);
  };

  return {
    send(input) {
      const now = deps.clock.now();
      const app = deps.apps.get(input.params.app_id ?? "")?.app;
      const charset = input.charset ?? app?.charset ?? "utf-8";
      const signType = app?.signType ?? "RSA2";
      const params: Record<string, string> = {
        notify_id: createNotifyId(now),
        notify_time: formatAlipayDateTime(now),
        notify_type: input.notifyType,
        charset,
        version: "1.0",
        sign_type: signType,
        ...Object.fromEntries((app?.emptyNotifyFields ?? []).map((field) => [field, ""])),
        ...input.params,
      };
      const content = buildNotifySignContent(params, { emptyValues: deps.notifyEmptyValues });
      params.sign = signText(iconv.encode(content, charset), deps.alipayPrivateKey, signType);
      const target: NotificationRecord = {
        notifyId: params.notify_id ?? "",
        notifyType: input.notifyType,
        url: input.url,
        params,
        rawBody: encodeForm(params, charset),
        ...(charset === "utf-8" ? {} : { charset }),
        attempts: [],
        delivered: false,
      };
      deps.store.state.notifications.push(target);
      deps.store.save();
      if (deps.faults.take(input.notifyType, ["reorder-notify"])) {
        held.push(target);
        const releaseAfterMs = Math.max(50, 60_000 * deps.timeScale);
        setTimeout(() => target.attempts.length === 0 && held.includes(target) && releaseHeld(), releaseAfterMs);
        return target;
      }
      start(target);
      return target;
    },
    async redeliver(notifyId) {
      const target = deps.store.state.notifications.find((candidate) => candidate.notifyId === notifyId);
      if (!target) return null;
      const outcome = await postForm(delivery(target));
      record(target, { at: deps.clock.now().toISOString(), ...outcome, note: "redelivery" });
      if (outcome.body === "success" && !target.delivered) {
        target.delivered = true;
        clearTimeout(pending.get(notifyId)?.timer);
        pending.delete(notifyId);
        deps.store.save();
      }
      return target;
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    handleClockChange() {
      const nowMs = deps.clock.now().getTime();
      for (const [notifyId, entry] of pending) if (entry.dueAtMs <= nowMs) fire(notifyId);
    },
    resumePending() {
      for (const target of deps.store.state.notifications) {
        const last = target.attempts.at(-1);
        if (!target.delivered && last) schedule(target, new Date(last.at).getTime());
        if (!target.delivered && !last) start(target);
      }
    },
    reset() {
      for (const entry of pending.values()) clearTimeout(entry.timer);
      pending.clear();
      held = [];
      lost.clear();
    },
    close() {
      closed = true;
      for (const entry of pending.values()) clearTimeout(entry.timer);
      pending.clear();
      held = [];
    },
  };
}
