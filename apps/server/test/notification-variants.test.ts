import { createSign, randomBytes } from "node:crypto";
import iconv from "iconv-lite";
import { defined, encodeCharsetForm } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { agreementState, waitFor } from "./support/agreement-state.ts";
import { monthlyPlanId, signIn } from "./support/customer-client.ts";
import { startStack, testAppId, type Stack } from "./support/stack.ts";

/** Wire variants of Alipay's notifications (docs/alipay-protocol.md §18): charsets, empty values, RSA apps. */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const subject = "月度会员·续费";
const inboxRow = (notifyId: string) => stack.database.db.prisma.notificationInbox.findUnique({ where: { notifyId } });

function tradeNotification(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    notify_id: randomBytes(17).toString("hex"),
    notify_time: "2026-11-22 10:00:00",
    notify_type: "trade_status_sync",
    app_id: testAppId,
    charset: "utf-8",
    version: "1.0",
    trade_no: "2026112222001400001234567890",
    out_trade_no: `NOSUCHTRADE${randomBytes(4).toString("hex")}`,
    trade_status: "TRADE_SUCCESS",
    total_amount: "19.90",
    subject,
    ...overrides,
  };
}

type SignAs = { charset: string; emptyValues: "keep" | "skip"; algorithm?: "RSA-SHA256" | "RSA-SHA1" };

/** Signs as Alipay does: sorted, `sign`/`sign_type` excluded, over the bytes of the text in `charset`. */
function sign(params: Record<string, string>, as: SignAs): Record<string, string> {
  const content = Object.keys(params)
    .filter((key) => key !== "sign" && key !== "sign_type")
    .filter((key) => as.emptyValues === "keep" || params[key] !== "")
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
  const bytes = iconv.encode(content, as.charset);
  const algorithm = as.algorithm ?? "RSA-SHA256";
  const signature = createSign(algorithm).update(bytes).sign(stack.sandbox.alipayKeys.privateKey, "base64");
  return { ...params, sign_type: algorithm === "RSA-SHA1" ? "RSA" : "RSA2", sign: signature };
}

async function post(body: string, contentType: string) {
  const response = await fetch(`${stack.api}/alipay/notify`, {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  });
  return { status: response.status, text: await response.text() };
}

describe("charsets (§18.1)", () => {
  test.each(["GBK", "gb2312", "GB18030", "utf-8"])(
    "a %s notification signed over its bytes in that charset is verified and its Chinese subject stored as text",
    async (charset) => {
      const params = sign(tradeNotification({ charset }), { charset, emptyValues: "keep" });
      const body = encodeCharsetForm(params, charset);

      const answer = await post(body, `application/x-www-form-urlencoded; charset=${charset}`);

      expect(answer).toEqual({ status: 200, text: "success" });
      const row = await inboxRow(defined(params.notify_id, "notify_id"));
      expect((row?.params as Record<string, string> | undefined)?.subject).toBe(subject);
    },
  );

  test("the charset body parameter decodes the form even when the Content-Type names none", async () => {
    const params = sign(tradeNotification({ charset: "GBK" }), { charset: "GBK", emptyValues: "keep" });

    const answer = await post(encodeCharsetForm(params, "GBK"), "application/x-www-form-urlencoded");

    expect(answer).toEqual({ status: 200, text: "success" });
    const row = await inboxRow(defined(params.notify_id, "notify_id"));
    expect((row?.params as Record<string, string> | undefined)?.subject).toBe(subject);
  });

  test("a GBK notification whose signature covers the UTF-8 bytes of the text is refused", async () => {
    const params = sign(tradeNotification({ charset: "GBK" }), { charset: "utf-8", emptyValues: "keep" });

    const answer = await post(encodeCharsetForm(params, "GBK"), "application/x-www-form-urlencoded; charset=GBK");

    expect(answer).toEqual({ status: 400, text: "fail" });
    expect(await inboxRow(defined(params.notify_id, "notify_id"))).toBeNull();
  });

  test("a charset outside utf-8, gbk, gb2312 and gb18030 is refused with fail and stores nothing", async () => {
    const params = sign(tradeNotification({ charset: "big5" }), { charset: "big5", emptyValues: "keep" });

    const answer = await post(encodeCharsetForm(params, "big5"), "application/x-www-form-urlencoded; charset=big5");

    expect(answer).toEqual({ status: 400, text: "fail" });
    expect(await inboxRow(defined(params.notify_id, "notify_id"))).toBeNull();
  });
});

describe("empty-valued parameters (§18.3)", () => {
  test.each(["skip", "keep"] as const)(
    "a notification with passback_params= signed with empty values %s is accepted",
    async (emptyValues) => {
      const params = sign(tradeNotification({ passback_params: "" }), { charset: "utf-8", emptyValues });

      const answer = await post(encodeCharsetForm(params, "utf-8"), "application/x-www-form-urlencoded; charset=utf-8");

      expect(answer).toEqual({ status: 200, text: "success" });
      const row = await inboxRow(defined(params.notify_id, "notify_id"));
      expect((row?.params as Record<string, string> | undefined)?.passback_params).toBe("");
    },
  );

  test("an empty value the signature never covered does not make a notification verify", async () => {
    const signed = sign(tradeNotification(), { charset: "utf-8", emptyValues: "keep" });
    // A value emptied after signing: neither the received form nor the form without empties is what was signed.
    const tampered = { ...signed, subject: "" };

    const answer = await post(encodeCharsetForm(tampered, "utf-8"), "application/x-www-form-urlencoded; charset=utf-8");

    expect(answer).toEqual({ status: 400, text: "fail" });
    expect(await inboxRow(defined(signed.notify_id, "notify_id"))).toBeNull();
  });
});

describe("an RSA (SHA1) app (§18.2)", () => {
  let rsa: Stack;
  beforeAll(async () => {
    rsa = await startStack({ env: { ALIPAY_SIGN_TYPE: "RSA" }, app: { signType: "RSA" } });
  });
  afterAll(() => rsa.close());

  test("the sandbox's dut_user_sign for an RSA app is signed with RSA, and the server configured for RSA applies it", async () => {
    const customer = await signIn(rsa);
    const created = await customer.as("/api/v1/agreements", { planId: monthlyPlanId });
    const id = (created.body.agreement as { id: string }).id;
    const signed = await rsa.control.signAtCenter({
      signStr: created.body.signStr as string,
      userId: customer.userId,
      decision: "confirm",
    });
    expect(signed.body.resultStatus).toBe("7000");
    await rsa.sandbox.settleNotifications();

    const state = await waitFor(
      () => agreementState(rsa, id),
      (s) => s.status === "ACTIVE",
    );

    expect(state.events).toEqual(["∅→PENDING CUSTOMER", "PENDING→ACTIVE NOTIFICATION"]);
    const deliveries = (await rsa.control.notifications()).body;
    const delivery = deliveries.find(
      (entry) => entry.params.external_agreement_no === state.agreement.externalAgreementNo,
    );
    expect(delivery?.params.sign_type).toBe("RSA");
    expect(delivery?.attempts[0]?.body).toBe("success");
  });
});
