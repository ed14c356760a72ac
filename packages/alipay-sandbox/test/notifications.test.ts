import { addDays, shanghaiDateOf } from "@paysign/contracts";
import { defined } from "@paysign/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { APP_ID, createUser, signAgreement, startHarness, type Harness } from "./support/sandbox-harness.ts";
import { startReceiver } from "./support/notify-receiver.ts";

/** 1 simulated minute = 60 ms, so 4m = 240 ms and 10m = 600 ms. */
const TIME_SCALE = 0.001;

type LogEntry = {
  notifyId: string;
  notifyType: string;
  url: string;
  params: Record<string, string>;
  attempts: Array<{ at: string; httpStatus: number; body: string; note?: string }>;
  delivered: boolean;
};

let harness: Harness;
const receivers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  harness = await startHarness({ timeScale: TIME_SCALE });
});
afterEach(async () => {
  await harness.post("/sandbox/reset");
  for (const receiver of receivers.splice(0)) await receiver.close();
});
afterAll(() => harness.sandbox.close());

async function receiver(answers: string[] = []) {
  const started = await startReceiver(answers);
  receivers.push(started);
  return started;
}

async function log(): Promise<LogEntry[]> {
  return (await harness.get<LogEntry[]>("/sandbox/notifications")).body;
}

async function signWithNotify(url: string) {
  const userId = (await createUser(harness, { logonId: "13812342877" })).userId;
  return { userId, ...(await signAgreement(harness, { userId, notifyUrl: url })) };
}

describe("notifications", () => {
  it("sends dut_user_sign as a signed form that checkNotifySignV2 accepts", async () => {
    const merchant = await receiver();
    const { userId, agreementNo } = await signWithNotify(merchant.url);
    const [notification] = await merchant.waitFor(1);
    expect(notification?.contentType).toBe("application/x-www-form-urlencoded; charset=utf-8");
    const params = notification?.params ?? {};
    expect(harness.sdk.checkNotifySignV2(params)).toBe(true);
    expect(params).toMatchObject({
      notify_type: "dut_user_sign",
      status: "NORMAL",
      agreement_no: agreementNo,
      alipay_user_id: userId,
      alipay_logon_id: "138****2877",
      personal_product_code: "CYCLE_PAY_AUTH_P",
      sign_type: "RSA2",
    });
    expect(params.notify_id).toMatch(/^\d{34}$/);
    expect(params.invalid_time).toBe("2115-02-01 00:00:00");
  });

  it("fails verification when a notified value is changed", async () => {
    const merchant = await receiver();
    await signWithNotify(merchant.url);
    const [notification] = await merchant.waitFor(1);
    expect(harness.sdk.checkNotifySignV2({ ...notification?.params, status: "UNSIGN" })).toBe(false);
  });

  it("retries at the scaled schedule with one notify_id until the body is exactly success", async () => {
    const merchant = await receiver(["fail", "fail", "success"]);
    await signWithNotify(merchant.url);
    const received = await merchant.waitFor(3, 10_000);
    const ids = new Set(received.map((entry) => entry.params.notify_id));
    expect(ids.size).toBe(1);
    const [first, second, third] = received.map((entry) => entry.at) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(230);
    expect(third - second).toBeGreaterThanOrEqual(590);
    await harness.sandbox.settleNotifications();
    const [entry] = await log();
    expect(entry?.delivered).toBe(true);
    expect(entry?.attempts.map((attempt) => attempt.body)).toEqual(["fail", "fail", "success"]);
    const times = entry?.attempts.map((attempt) => Date.parse(attempt.at)) ?? [];
    expect(defined(times[1], "times[1]") - defined(times[0], "times[0]")).toBeGreaterThanOrEqual(4 * 60_000);
    expect(defined(times[2], "times[2]") - defined(times[1], "times[1]")).toBeGreaterThanOrEqual(10 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(merchant.received).toHaveLength(3);
  });

  it.each([["success\n"], [" success"], ["SUCCESS"], ["<p>success</p>"]])(
    "keeps retrying after %j, which is not exactly success",
    async (answer) => {
      const merchant = await receiver([answer]);
      await signWithNotify(merchant.url);
      const [first, second] = await merchant.waitFor(2, 5_000);
      expect(second?.params.notify_id).toBe(first?.params.notify_id);
    },
  );

  it("sends a due retry at once when the clock moves past it", async () => {
    const slow = await startHarness({ timeScale: 1 });
    try {
      const merchant = await startReceiver(["fail"]);
      receivers.push(merchant);
      const userId = (await createUser(slow)).userId;
      await signAgreement(slow, { userId, notifyUrl: merchant.url });
      await merchant.waitFor(1);
      await slow.post("/sandbox/clock", { now: new Date(slow.sandbox.now().getTime() + 5 * 60_000).toISOString() });
      await merchant.waitFor(2);
      expect(merchant.received[1]?.params.notify_id).toBe(merchant.received[0]?.params.notify_id);
    } finally {
      await slow.sandbox.close();
    }
  });

  it("redelivers a delivered notification byte for byte", async () => {
    const merchant = await receiver();
    await signWithNotify(merchant.url);
    await merchant.waitFor(1);
    await harness.sandbox.settleNotifications();
    const [entry] = await log();
    const { status } = await harness.post(`/sandbox/notifications/${entry?.notifyId}/redeliver`);
    expect(status).toBe(200);
    const [original, again] = await merchant.waitFor(2);
    expect(again?.rawBody).toBe(original?.rawBody);
  });

  it("a redelivery answered success ends the retries of an undelivered notification", async () => {
    const slow = await startHarness({ timeScale: 1 });
    try {
      const merchant = await startReceiver(["fail", "success"]);
      receivers.push(merchant);
      await signAgreement(slow, { userId: (await createUser(slow)).userId, notifyUrl: merchant.url });
      await merchant.waitFor(1);
      await slow.sandbox.settleNotifications();
      const [entry] = (await slow.get<LogEntry[]>("/sandbox/notifications")).body;
      expect(entry?.delivered).toBe(false);
      const { body } = await slow.post<LogEntry>(`/sandbox/notifications/${entry?.notifyId}/redeliver`);
      expect(body.delivered).toBe(true);
      // Past the first retry's due time: a retry still pending would go out at once.
      await slow.post("/sandbox/clock", { now: new Date(slow.sandbox.now().getTime() + 5 * 60_000).toISOString() });
      await slow.sandbox.settleNotifications();
      expect(merchant.received).toHaveLength(2);
    } finally {
      await slow.sandbox.close();
    }
  });

  it("answers 404 when redelivering an unknown notification", async () => {
    expect((await harness.post("/sandbox/notifications/123/redeliver")).status).toBe(404);
  });

  it("sends dut_user_unsign when the user stops the agreement in the app, to the app gateway only", async () => {
    const merchant = await receiver();
    const appGateway = await receiver();
    const { agreementNo } = await signWithNotify(merchant.url);
    await merchant.waitFor(1);
    expect((await harness.post(`/sandbox/apps/${APP_ID}/app-gateway`, { appGatewayUrl: appGateway.url })).status).toBe(
      200,
    );
    expect((await harness.post(`/sandbox/agreements/${agreementNo}/unsign`)).status).toBe(200);
    const [unsign] = await appGateway.waitFor(1);
    await harness.post(`/sandbox/apps/${APP_ID}/app-gateway`, { appGatewayUrl: null });
    expect((await log()).filter((entry) => entry.url === merchant.url).map((entry) => entry.notifyType)).toEqual([
      "dut_user_sign",
    ]);
    expect(unsign?.params).toMatchObject({
      notify_type: "dut_user_unsign",
      status: "UNSIGN",
      agreement_no: agreementNo,
    });
    expect(unsign?.params.unsign_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(harness.sdk.checkNotifySignV2(unsign?.params)).toBe(true);
  });

  it("sends trade_status_sync with the agreement when trade.pay carries notify_url", async () => {
    const merchant = await receiver();
    // Tomorrow (Shanghai): inside the deduction window [D − 5, D] even when the run crosses midnight.
    const execute = addDays(shanghaiDateOf(harness.sandbox.now()), 1);
    const userId = (await createUser(harness)).userId;
    const biz = {
      product_code: "GENERAL_WITHHOLDING",
      personal_product_code: "CYCLE_PAY_AUTH_P",
      access_params: { channel: "ALIPAYAPP" },
      period_rule_params: { period_type: "DAY", period: 7, execute_time: execute, single_amount: "5.00" },
    };
    const { agreementNo } = await signAgreement(harness, { userId, biz });
    const pay = await harness.sdk.exec(
      "alipay.trade.pay",
      {
        notify_url: merchant.url,
        bizContent: {
          out_trade_no: "N1",
          total_amount: "5.00",
          subject: "s",
          product_code: "GENERAL_WITHHOLDING",
          agreement_params: { agreement_no: agreementNo },
        },
      },
      { validateSign: true },
    );
    expect(pay.code).toBe("10000");
    const [sync] = await merchant.waitFor(1);
    expect(sync?.params).toMatchObject({
      notify_type: "trade_status_sync",
      trade_status: "TRADE_SUCCESS",
      out_trade_no: "N1",
      total_amount: "5.00",
      agreement_no: agreementNo,
      trade_no: String(pay.trade_no),
    });
    expect(harness.sdk.checkNotifySignV2(sync?.params)).toBe(true);
  });
});

describe("notification faults", () => {
  it("drop-notify: the first attempt never arrives, the retry does with the same notify_id", async () => {
    await harness.post("/sandbox/faults", { method: "dut_user_sign", mode: "drop-notify" });
    const merchant = await receiver();
    await signWithNotify(merchant.url);
    const [arrived] = await merchant.waitFor(1);
    const [entry] = await log();
    expect(entry?.attempts[0]).toMatchObject({ httpStatus: 0, note: "dropped" });
    expect(arrived?.params.notify_id).toBe(entry?.notifyId);
    expect(Date.parse(entry?.attempts[1]?.at ?? "") - Date.parse(entry?.attempts[0]?.at ?? "")).toBe(4 * 60_000);
  });

  it("lose-notify: every one of the 8 deliveries is dropped; nothing reaches the receiver", async () => {
    await harness.post("/sandbox/faults", { method: "dut_user_sign", mode: "lose-notify" });
    const merchant = await receiver();
    await signWithNotify(merchant.url);
    // Each clock move sends the retry that fell due; the next one is scheduled from it.
    for (let step = 0; step < 8; step++) {
      await harness.post("/sandbox/clock", {
        now: new Date(harness.sandbox.now().getTime() + 16 * 3_600_000).toISOString(),
      });
      await harness.sandbox.settleNotifications();
    }
    const [entry] = await log();
    expect(entry?.attempts.map((attempt) => attempt.note)).toEqual(Array.from({ length: 8 }, () => "dropped"));
    expect(entry?.delivered).toBe(false);
    expect(merchant.received).toHaveLength(0);
  });

  it("duplicate-notify: the same bytes arrive twice", async () => {
    await harness.post("/sandbox/faults", { method: "*", mode: "duplicate-notify" });
    const merchant = await receiver();
    await signWithNotify(merchant.url);
    const [first, second] = await merchant.waitFor(2);
    expect(second?.rawBody).toBe(first?.rawBody);
  });

  it("reorder-notify: a held notification arrives after the next one", async () => {
    const merchant = await receiver();
    const { agreementNo } = await signWithNotify(merchant.url);
    await merchant.waitFor(1);
    await harness.post("/sandbox/faults", { method: "dut_user_unsign", mode: "reorder-notify" });
    // The user's unsign goes to the app gateway: here the same receiver.
    await harness.post(`/sandbox/apps/${APP_ID}/app-gateway`, { appGatewayUrl: merchant.url });
    await harness.post(`/sandbox/agreements/${agreementNo}/unsign`);
    const other = await signWithNotify(merchant.url);
    const received = await merchant.waitFor(3);
    await harness.post(`/sandbox/apps/${APP_ID}/app-gateway`, { appGatewayUrl: null });
    expect(received.slice(1).map((entry) => entry.params.notify_type)).toEqual(["dut_user_sign", "dut_user_unsign"]);
    expect(received[1]?.params.agreement_no).toBe(other.agreementNo);
  });

  it("bad-sign-notify: a forged copy that fails verification arrives first, then the genuine one", async () => {
    await harness.post("/sandbox/faults", { method: "dut_user_sign", mode: "bad-sign-notify" });
    const merchant = await receiver(["fail"]);
    await signWithNotify(merchant.url);
    const [forged, genuine] = await merchant.waitFor(2);
    expect(harness.sdk.checkNotifySignV2(forged?.params)).toBe(false);
    expect(harness.sdk.checkNotifySignV2(genuine?.params)).toBe(true);
    expect(forged?.params.notify_id).toBe(genuine?.params.notify_id);
  });

  it("a fault for another notify_type leaves this one alone", async () => {
    await harness.post("/sandbox/faults", { method: "trade_status_sync", mode: "drop-notify" });
    const merchant = await receiver();
    await signWithNotify(merchant.url);
    await merchant.waitFor(1);
    const [entry] = await log();
    expect(entry?.attempts[0]?.note).toBeUndefined();
  });
});
