import { generateRsaKeyPair } from "@paysign/alipay-sandbox";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { postNotification, signedNotification } from "./support/forge-notification.ts";
import { startStack, testAppId, type Stack } from "./support/stack.ts";

// The app gateway (应用网关) is /alipay/notify too (docs/alipay-protocol.md §17.4): besides the agreement and trade
// notifications it receives app-level messages the server does not act on. A verified one is recorded and answered
// `success`, so Alipay stops retrying; a forged one is still refused and never stored.

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

/** A message of Alipay's message service (消息服务) as it reaches the app gateway: `msg_method` and `biz_content`. */
function appGatewayMessage(notifyId: string): Record<string, string> {
  return {
    msg_method: "zhima.credit.payafteruse.creditagreement.changed",
    app_id: testAppId,
    notify_id: notifyId,
    utc_timestamp: "1733000000000",
    version: "1.1",
    charset: "UTF-8",
    biz_content: JSON.stringify({
      credit_agreement_id: "ZMCA2024120100001",
      agreement_status: "VALID",
      out_agreement_no: "OUT20241201",
      biz_time: "2024-12-01 10:00:00",
    }),
  };
}

describe("app-level messages at /alipay/notify", () => {
  test("a verified message the server does not act on is recorded IGNORED with its type and answered success", async () => {
    const message = signedNotification(
      appGatewayMessage("2024120100222100000000000000000001"),
      stack.sandbox.alipayKeys.privateKey,
    );
    const answer = await postNotification(stack, message);
    expect(answer).toEqual({ status: 200, text: "success" });
    const row = await stack.database.db.prisma.notificationInbox.findUnique({
      where: { notifyId: "2024120100222100000000000000000001" },
    });
    expect(row).toMatchObject({ outcome: "IGNORED", notifyType: "zhima.credit.payafteruse.creditagreement.changed" });

    const again = await postNotification(stack, message);
    expect(again).toEqual({ status: 200, text: "success" });
    expect(await stack.database.db.prisma.notificationInbox.count({ where: { notifyId: row?.notifyId ?? "" } })).toBe(
      1,
    );
  });

  test("a classic notify_type the server does not know is recorded IGNORED and answered success", async () => {
    const message = signedNotification(
      {
        notify_type: "open_app_auth_notify",
        notify_id: "2024120100222100000000000000000002",
        notify_time: "2024-12-01 10:00:00",
        app_id: testAppId,
        charset: "utf-8",
        version: "1.0",
      },
      stack.sandbox.alipayKeys.privateKey,
    );
    expect(await postNotification(stack, message)).toEqual({ status: 200, text: "success" });
    const row = await stack.database.db.prisma.notificationInbox.findUnique({
      where: { notifyId: "2024120100222100000000000000000002" },
    });
    expect(row).toMatchObject({ outcome: "IGNORED", notifyType: "open_app_auth_notify" });
  });

  test("a verified message with neither notify_type nor msg_method is recorded IGNORED and answered success", async () => {
    const message = signedNotification(
      {
        notify_id: "2024120100222100000000000000000004",
        notify_time: "2024-12-01 10:00:00",
        app_id: testAppId,
        charset: "utf-8",
        version: "1.0",
      },
      stack.sandbox.alipayKeys.privateKey,
    );
    expect(await postNotification(stack, message)).toEqual({ status: 200, text: "success" });
    const row = await stack.database.db.prisma.notificationInbox.findUnique({
      where: { notifyId: "2024120100222100000000000000000004" },
    });
    expect(row).toMatchObject({ outcome: "IGNORED", notifyType: "", detail: "not acted on: no notify_type" });
  });

  test("a forged app-level message is answered fail and never stored", async () => {
    const forged = signedNotification(
      appGatewayMessage("2024120100222100000000000000000003"),
      generateRsaKeyPair().privateKey,
    );
    const answer = await postNotification(stack, forged);
    expect(answer.text).toBe("fail");
    expect(
      await stack.database.db.prisma.notificationInbox.count({
        where: { notifyId: "2024120100222100000000000000000003" },
      }),
    ).toBe(0);
  });
});
