import { defined, http } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { clientsOf, shanghai, transitions, waitFor, type AgreementDetail, type Charge } from "./support/client.ts";
import { createE2eDatabase, type E2eDatabase } from "./support/database.ts";
import { adminKey, startProcesses, type E2eProcesses } from "./support/processes.ts";
import { storyVariant } from "./support/story-variant.ts";
import { allDeliveries, allEvents, startWebhookReceiver, type WebhookReceiver } from "./support/webhooks.ts";

// The whole story across real processes: the Alipay sandbox, the API (no jobs of its own) and a worker process that
// ticks the scheduler every second, over HTTP, on one PostgreSQL. Nothing is called in-process: the test is a client
// (the mini program, the Alipay app, an operator) and moves the sandbox's clock, which the API and the worker follow.
// The scenarios share one clock, so each starts later than the one before; the deduction settings are the defaults
// (window 5 days, first attempt 3 days before D, retries after 6h, 1d…). A merchant's webhook receiver is registered
// before the story starts and takes every event the story makes (issue #19).
let database: E2eDatabase;
let processes: E2eProcesses;
let client: ReturnType<typeof clientsOf>;
let receiver: WebhookReceiver;
const webhookEndpoint = { id: "", secret: "" };
const plans = { monthly: "", notice: "", weeklyLater: "", weeklyMuchLater: "" };

beforeAll(async () => {
  database = await createE2eDatabase();
  // Key mode and user ids by default; whole-story-cert.test.ts and whole-story-open-id.test.ts run it again.
  processes = await startProcesses({ databaseUrl: database.url, worker: true, ...storyVariant() });
  client = clientsOf(processes);
  receiver = await startWebhookReceiver();
  const endpoint = await client.admin<{ endpoint: { id: string }; secret: string }>("/admin/v1/webhook-endpoints", {
    url: receiver.url,
    eventTypes: [],
  });
  if (endpoint.status !== 201) throw new Error(`webhook endpoint refused: ${endpoint.text}`);
  webhookEndpoint.id = endpoint.body.endpoint.id;
  webhookEndpoint.secret = endpoint.body.secret;
  receiver.useSecret(webhookEndpoint.secret);
  plans.monthly = await client.createPlan({ name: "Monthly", periodType: "MONTH", period: 1, singleAmount: "19.90" });
  plans.notice = await client.createPlan({
    name: "Monthly, merchant confirms",
    periodType: "MONTH",
    period: 1,
    singleAmount: "29.00",
    effectType: "NOTICE",
  });
  plans.weeklyLater = await client.createPlan({
    name: "Weekly, first charge in 3 days",
    periodType: "DAY",
    period: 7,
    singleAmount: "10.00",
    firstChargeDelayDays: 3,
  });
  plans.weeklyMuchLater = await client.createPlan({
    name: "Weekly, first charge in 10 days",
    periodType: "DAY",
    period: 7,
    singleAmount: "12.00",
    firstChargeDelayDays: 10,
  });
});

afterAll(async () => {
  await processes?.stop();
  await receiver?.close();
  await database?.drop();
});

/** What the mini program forwards: exactly paySignCenter's resultStatus and result. */
const reportOf = ({ resultStatus, result }: { resultStatus: string; result: string }) => ({ resultStatus, result });

/** A customer who signs `planId` in the sandbox and reports paySignCenter's answer: the agreement is ACTIVE. */
async function signedAgreement(planId: string, balance = "1000.00") {
  const customer = await client.signIn(balance);
  const { id, signStr } = await client.subscribe(customer, planId);
  const signed = await client.signAtAlipay(customer, signStr);
  expect(signed.body.resultStatus).toBe("7000");
  const reported = await customer.as(`/api/v1/agreements/${id}/sign-result`, reportOf(signed.body));
  expect(reported.body.outcome).toBe("SIGNED");
  return { customer, id, agreement: await client.agreement(id) };
}

const chargeFor = (agreement: AgreementDetail, dueDate: string): Charge | undefined =>
  agreement.charges.find((charge) => charge.dueDate === dueDate);

const chargedOn = (id: string, dueDate: string) =>
  waitFor({
    what: `charge of ${dueDate} settled`,
    probe: () => client.agreement(id),
    done: (agreement) => chargeFor(agreement, dueDate)?.status === "SUCCEEDED",
  });

describe("signing", () => {
  test("DIRECT: signed in the sandbox → ACTIVE, and the dut_user_sign notification is verified and answered success", async () => {
    await client.setClock(shanghai("2031-01-05"));
    const { customer, id, agreement } = await signedAgreement(plans.monthly);
    expect(agreement.status).toBe("ACTIVE");
    expect(agreement.agreementNo).toMatch(/^\d{20}$/);
    expect(agreement.nextDeductDate).toBe("2031-01-05");

    const notification = await waitFor({
      what: "dut_user_sign delivered",
      probe: async () => (await client.notifications()).find((n) => n.params.agreement_no === agreement.agreementNo),
      done: (found) => found?.delivered === true,
    });
    expect(notification?.notifyType).toBe("dut_user_sign");
    // The notification names the customer the way the app knows them (docs/alipay-protocol.md §19.1).
    const userField = storyVariant().userIdType === "open_id" ? "alipay_open_id" : "alipay_user_id";
    expect(notification?.params[userField]).toEqual(expect.any(String));
    expect(notification?.attempts.at(-1)?.body).toBe("success");
    // Whichever came first confirmed it (the verified result or the notification); the other changed nothing.
    const events = transitions(await client.agreement(id));
    expect(events).toHaveLength(2);
    expect(events[1]).toMatch(/^PENDING→ACTIVE (CLIENT_RESULT|NOTIFICATION)$/);
    const own = await customer.as<{ items: Array<{ id: string; status: string }> }>("/api/v1/agreements");
    expect(own.body.items).toEqual([expect.objectContaining({ id, status: "ACTIVE" })]);
    console.log(`DIRECT  ${agreement.agreementNo}: ${events.join(", ")}; dut_user_sign answered success`);
  });

  test("NOTICE: signed to TEMP, not charged, and ACTIVE once the merchant calls effect", async () => {
    const customer = await client.signIn();
    const { id, signStr } = await client.subscribe(customer, plans.notice);
    const signed = await client.signAtAlipay(customer, signStr);
    await customer.as(`/api/v1/agreements/${id}/sign-result`, reportOf(signed.body));
    expect((await client.agreement(id)).status).toBe("TEMP");

    // Alipay sends dut_user_sign when the agreement takes effect; held back here so that it arrives after the answer.
    await client.holdNextNotification("dut_user_sign");
    const effect = await client.admin<{ agreement: { status: string } }>(`/admin/v1/agreements/${id}/effect`, {});
    expect(effect.status).toBe(200);
    expect(effect.body.agreement.status).toBe("ACTIVE");
    expect(
      await client.deliverHeld(
        "dut_user_sign",
        defined((await client.agreement(id)).agreementNo, "the agreement number"),
      ),
    ).toBe("success");
    const agreement = await client.agreement(id);
    expect(transitions(agreement)).toEqual(["∅→PENDING CUSTOMER", "PENDING→TEMP CLIENT_RESULT", "TEMP→ACTIVE ADMIN"]);
    const sandboxSide = (await client.sandbox.agreements()).body;
    expect(sandboxSide).toContainEqual(
      expect.objectContaining({ agreement_no: agreement.agreementNo, status: "NORMAL" }),
    );
    console.log(`NOTICE  ${agreement.agreementNo}: ${transitions(agreement).join(", ")}`);
  });

  test("7001: the app lost paySignCenter's result, the server asks agreement.query and finds it signed", async () => {
    const customer = await client.signIn();
    const { id, signStr } = await client.subscribe(customer, plans.monthly);
    // Without the notification only the query can confirm it (the sandbox retries it minutes later). The fault
    // must meet this agreement's dut_user_sign, not one still on its way from an earlier scenario.
    await waitFor({
      what: "earlier notifications delivered",
      probe: () => client.notifications(),
      done: (all) => all.every((n) => n.delivered),
    });
    await client.sandbox.addFault({ method: "dut_user_sign", mode: "drop-notify", count: 1 });
    await client.signAtAlipay(customer, signStr);

    const reported = await customer.as<{ outcome: string; agreement: { status: string } }>(
      `/api/v1/agreements/${id}/sign-result`,
      { resultStatus: "7001" },
    );
    expect(reported.body.outcome).toBe("SIGNED");
    expect(reported.body.agreement.status).toBe("ACTIVE");
    const agreement = await client.agreement(id);
    expect(transitions(agreement)).toEqual(["∅→PENDING CUSTOMER", "PENDING→ACTIVE ALIPAY_QUERY"]);
    console.log(`7001    ${agreement.agreementNo}: ${transitions(agreement).join(", ")}`);
  });
});

describe("deductions by the worker process", () => {
  test("two periods: charged on the signing day, and again once the clock moves one month", async () => {
    await client.setClock(shanghai("2031-01-06"));
    const { id, agreement } = await signedAgreement(plans.monthly);
    expect(agreement.nextDeductDate).toBe("2031-01-06");

    const first = await chargedOn(id, "2031-01-06");
    expect(first.nextDeductDate).toBe("2031-02-06");
    await client.setClock(shanghai("2031-02-03"));
    const second = await chargedOn(id, "2031-02-06");

    expect(second.nextDeductDate).toBe("2031-03-06");
    expect(second.paymentsCount).toBe(2);
    expect(second.paidTotal).toBe("39.80");
    const trades = (await client.trades()).filter((trade) => trade.agreement_no === agreement.agreementNo);
    expect(trades.map((trade) => [trade.trade_status, trade.total_amount])).toEqual([
      ["TRADE_SUCCESS", "19.90"],
      ["TRADE_SUCCESS", "19.90"],
    ]);
    expect(second.charges.map((charge) => charge.tradeNo).sort()).toEqual(trades.map((trade) => trade.trade_no).sort());
    console.log(
      `2 periods ${agreement.agreementNo}: ` +
        [...second.charges]
          .sort((a, b) => a.dueDate.localeCompare(b.dueDate))
          .map((charge) => `${charge.dueDate} ${charge.amount} trade ${charge.tradeNo}`)
          .join(", ") +
        `; next ${second.nextDeductDate}`,
    );
  });

  test("user unsign in the Alipay app (sandbox) → UNSIGNED by dut_user_unsign, and no later charge", async () => {
    await client.setClock(shanghai("2031-02-10"));
    const { id, agreement } = await signedAgreement(plans.monthly);
    await chargedOn(id, "2031-02-10");
    // The agreement sweep asks Alipay about a newly signed agreement once (§17): let that query happen first, so the
    // unsign below is learnt from its notification and not by a query racing it.
    await waitFor({
      what: "the first agreement sweep",
      probe: () => client.agreement(id),
      done: (found) => found.nextSweepAt !== null && Date.parse(found.nextSweepAt) > Date.parse(shanghai("2031-02-11")),
    });

    const unsigned = await client.sandbox.unsignAgreement(defined(agreement.agreementNo, "agreement.agreementNo"));
    expect(unsigned.status).toBe(200);
    const after = await waitFor({
      what: "UNSIGNED",
      probe: () => client.agreement(id),
      done: (found) => found.status === "UNSIGNED",
    });
    expect(transitions(after).at(-1)).toBe("ACTIVE→UNSIGNED NOTIFICATION");
    const notification = (await client.notifications()).find(
      (n) => n.notifyType === "dut_user_unsign" && n.params.agreement_no === agreement.agreementNo,
    );
    expect(notification?.attempts.at(-1)?.body).toBe("success");

    // The next period's window opens; an inline scheduler run and the worker's ticks leave it alone.
    await client.setClock(shanghai("2031-03-08"));
    const run = await client.admin("/admin/v1/scheduler/run", { wait: true });
    expect(run.status).toBe(200);
    const later = await client.agreement(id);
    expect(later.charges.map((charge) => [charge.dueDate, charge.status])).toEqual([["2031-02-10", "SUCCEEDED"]]);
    expect((await client.trades()).filter((trade) => trade.agreement_no === agreement.agreementNo)).toHaveLength(1);
    console.log(`unsign  ${agreement.agreementNo}: ${transitions(after).join(", ")}; no charge after`);
  });

  test("a deduction refused for a low balance is retried at the next step of the schedule and succeeds", async () => {
    await client.setClock(shanghai("2031-04-01"));
    const { customer, id, agreement } = await signedAgreement(plans.weeklyLater, "1.00");
    expect(agreement.nextDeductDate).toBe("2031-04-04");

    const refused = await waitFor({
      what: "first attempt refused",
      probe: () => client.agreement(id),
      done: (found) =>
        chargeFor(found, "2031-04-04")?.attempts.length === 1 && chargeFor(found, "2031-04-04")?.status === "PENDING",
    });
    const attempt = defined(defined(chargeFor(refused, "2031-04-04"), "the refused charge").attempts[0], "its attempt");
    expect(attempt.status).toBe("FAILED");
    expect(attempt.subCode).toBe("ACQ.BUYER_BALANCE_NOT_ENOUGH");

    await client.sandbox.setBalance(customer.userId, "100.00");
    await client.setClock(shanghai("2031-04-01", "16:01:00"));
    const paid = await chargedOn(id, "2031-04-04");
    const charge = defined(chargeFor(paid, "2031-04-04"), "the paid charge");
    const attempts = [...charge.attempts].sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
    expect(attempts.map((a) => a.status)).toEqual(["FAILED", "SUCCEEDED"]);
    expect(paid.nextDeductDate).toBe("2031-04-11");
    console.log(
      `retry   ${agreement.agreementNo}: ${attempts.map((a) => `${a.outTradeNo} ${a.subCode ?? a.status}`).join(" → ")}`,
    );
  });

  test("a missed window leaves the period PAST_DUE; defer moves D and the worker charges the new date", async () => {
    await client.setClock(shanghai("2031-05-01"));
    const { id, agreement } = await signedAgreement(plans.weeklyMuchLater);
    expect(agreement.nextDeductDate).toBe("2031-05-11");

    await client.setClock(shanghai("2031-05-12"));
    const missed = await waitFor({
      what: "period marked past due",
      probe: () => client.agreement(id),
      done: (found) => chargeFor(found, "2031-05-11")?.status === "PAST_DUE",
    });
    expect(missed.nextDeductDate).toBe("2031-05-11");
    expect((await client.trades()).filter((trade) => trade.agreement_no === agreement.agreementNo)).toHaveLength(0);

    const deferred = await client.admin<{ agreement: { nextDeductDate: string } }>(`/admin/v1/agreements/${id}/defer`, {
      deductDate: "2031-05-13",
    });
    expect(deferred.status).toBe(200);
    expect(deferred.body.agreement.nextDeductDate).toBe("2031-05-13");
    const resumed = await chargedOn(id, "2031-05-13");
    expect(resumed.nextDeductDate).toBe("2031-05-20");
    expect(chargeFor(resumed, "2031-05-11")?.status).toBe("PAST_DUE");
    const sandboxSide = (await client.sandbox.agreements()).body.find(
      (found) => found.agreement_no === agreement.agreementNo,
    );
    expect(sandboxSide?.next_deduct_date).toBe("2031-05-20");
    console.log(
      `defer   ${agreement.agreementNo}: 2031-05-11 PAST_DUE → deferred to 2031-05-13 → ` +
        `charged (trade ${chargeFor(resumed, "2031-05-13")?.tradeNo}), next ${resumed.nextDeductDate}`,
    );
  });

  test("across every scenario, each Alipay trade is one charge and no period was charged twice", async () => {
    // A charge the worker is settling right now has its trade before its SUCCEEDED: wait for the two to agree.
    const tradeNos = async () => {
      const trades = (await client.trades()).filter((trade) => trade.trade_status === "TRADE_SUCCESS");
      const succeeded = (await client.charges()).filter((charge) => charge.status === "SUCCEEDED");
      return {
        trades: trades.map((trade) => trade.trade_no).sort(),
        charges: succeeded.map((charge) => charge.tradeNo).sort(),
        periods: new Set(succeeded.map((charge) => `${charge.agreementId} ${charge.dueDate}`)).size,
      };
    };
    const ledger = await waitFor({
      what: "trades and charges agree",
      probe: tradeNos,
      done: (found) => JSON.stringify(found.trades) === JSON.stringify(found.charges),
    });
    expect(ledger.charges).toEqual(ledger.trades);
    expect(ledger.periods).toBe(ledger.charges.length);
    console.log(`ledger  ${ledger.trades.length} sandbox trades = ${ledger.charges.length} charges, one per period`);
  });
});

describe("refunds", () => {
  test("part of a paid charge refunded by the operator → SUCCEEDED, and the trade stays paid", async () => {
    // The charge of 2031-05-13 (the deferred period) is the one paid within Alipay's refund window of the clock.
    const charge = defined(
      (await client.charges()).find((found) => found.dueDate === "2031-05-13" && found.status === "SUCCEEDED"),
      "the charge of 2031-05-13",
    );
    const refunded = await http<{ refund: { status: string; amount: string } }>(
      `${processes.apiUrl}/admin/v1/charges/${charge.id}/refunds`,
      {
        headers: { "x-admin-key": adminKey, "idempotency-key": `e2e-refund-${charge.id}` },
        body: { amount: "2.00", reason: "Customer asked for part of the period back" },
      },
    );
    expect(refunded.status).toBe(201);
    expect(refunded.body.refund).toMatchObject({ status: "SUCCEEDED", amount: "2.00" });
    const trade = (await client.trades()).find((found) => found.trade_no === charge.tradeNo);
    expect(trade?.trade_status).toBe("TRADE_SUCCESS");
    console.log(`refund  ${charge.outTradeNo}: 2.00 of ${charge.amount} SUCCEEDED`);
  });
});

describe("webhooks", () => {
  /** Every event type the story makes. */
  const storyEventTypes = [
    "agreement.activated", // every scenario's signing
    "agreement.awaiting_effect", // NOTICE: signed to TEMP
    "agreement.unsigned", // the customer unsigned in the Alipay app
    "charge.past_due", // the missed window before the deferral
    "charge.succeeded", // every paid period
    "refund.succeeded", // the operator's partial refund
  ];

  test("every event of the story is delivered exactly once to a receiver answering 200, signed, in sequence", async () => {
    // Until every event the events API lists has a SUCCEEDED delivery to the endpoint and the receiver holds them.
    const settled = await waitFor({
      what: "every event delivered",
      probe: async () => {
        const receipts = [...receiver.receipts];
        const events = await allEvents(client.admin);
        const deliveries = await allDeliveries(client.admin, webhookEndpoint.id);
        const succeeded = new Set(deliveries.filter((d) => d.status === "SUCCEEDED").map((d) => d.eventId));
        const received = new Set(receipts.map((receipt) => receipt.webhookId));
        return { receipts, events, deliveries, succeeded, received };
      },
      // The events API lists an event once no older transaction is running (the outbox horizon): wait for the story's
      // every type too, or a refund committed a moment ago could still be missing from a list otherwise all sent.
      done: ({ events, succeeded, received }) =>
        storyEventTypes.every((type) => events.some((event) => event.type === type)) &&
        events.every((event) => succeeded.has(event.id) && received.has(event.id)),
      timeoutMs: 60_000,
    });
    const { receipts, events, deliveries } = settled;

    // (1) The webhook-ids received are the events listed, each exactly once; one delivery of one attempt each.
    const eventIds = events.map((event) => event.id).sort();
    expect(receipts.map((receipt) => receipt.webhookId).sort()).toEqual(eventIds);
    expect(deliveries.map((delivery) => [delivery.eventId, delivery.status, delivery.attemptCount]).sort()).toEqual(
      eventIds.map((id) => [id, "SUCCEEDED", 1]),
    );

    // (2) Every event type the story makes was received.
    const byId = new Map(events.map((event) => [event.id, event]));
    const receivedTypes = new Set(receipts.map((receipt) => byId.get(receipt.webhookId)?.type));
    expect([...receivedTypes].sort()).toEqual([...storyEventTypes].sort());

    // (3) Each body verifies with the secret of the creation answer and is the event as GET /admin/v1/events/:id.
    for (const receipt of receipts) {
      expect(receipt.verified, `verify ${receipt.webhookId}`).toMatchObject({ ok: true });
      const shown = await client.admin(`/admin/v1/events/${receipt.webhookId}`);
      expect(shown.status).toBe(200);
      expect(JSON.parse(receipt.body)).toEqual(shown.body);
      expect(receipt.verified.ok && receipt.verified.payload).toEqual(shown.body);
    }

    // (4) Per agreement, the sequences arrive as 1..n in order of receipt.
    const sequences = new Map<string, number[]>();
    for (const receipt of receipts) {
      const event = defined(byId.get(receipt.webhookId), "the received event");
      if (event.agreementId === null) continue;
      sequences.set(event.agreementId, [...(sequences.get(event.agreementId) ?? []), defined(event.sequence, "seq")]);
    }
    expect(sequences.size).toBeGreaterThanOrEqual(7);
    for (const [agreementId, received] of sequences) {
      expect(received, `sequences of ${agreementId}`).toEqual(received.map((_, index) => index + 1));
    }

    // (5) Neither the secret nor any signature sent appears in the processes' logs.
    const logs = processes.output();
    expect(logs).not.toContain(webhookEndpoint.secret);
    expect(logs).not.toContain(webhookEndpoint.secret.replace(/^whsec_/, ""));
    for (const receipt of receipts) {
      for (const signature of String(receipt.headers["webhook-signature"]).split(" ")) {
        expect(logs).not.toContain(signature.replace(/^v1,/, ""));
      }
    }
    const counts = [...receivedTypes].map((type) => `${type} ${events.filter((e) => e.type === type).length}`);
    console.log(`webhooks ${receipts.length} events delivered once each, verified, in sequence: ${counts.join(", ")}`);
  });
});
