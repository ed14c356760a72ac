import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { http } from "./support/customer-client.ts";
import { runScheduler, setClock, shanghai, signActiveAgreement } from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

const monthlyPlanId = "6f1c4a52-0d3b-4c1e-9a53-000000000001";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ sandbox: { timeScale: 1 } });
  // A fixed morning: the agreement signed today is charged today, whatever the real time of day.
  await setClock(stack, shanghai("2026-12-10"));
});
afterAll(() => stack.close());

async function scrape(headers: Record<string, string> = { authorization: `Bearer ${stack.config.adminApiKey}` }) {
  const answer = await fetch(`${stack.api}/metrics`, { headers });
  return { status: answer.status, type: answer.headers.get("content-type"), text: await answer.text() };
}

/** The value of one sample line, e.g. `name{a="b"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("GET /metrics", () => {
  test("needs the admin key, as a bearer token or x-admin-key", async () => {
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: "Bearer wrong-key-0123456789" })).status).toBe(401);
    expect((await scrape({ "x-admin-key": stack.config.adminApiKey })).status).toBe(200);
  });

  test("counts requests by route, notifications, charges, gateway calls and the follow-up backlog", async () => {
    const { agreementId } = await signActiveAgreement(stack, { planId: monthlyPlanId, notificationFirst: true });
    await stack.sandbox.settleNotifications();
    const { results } = await runScheduler(stack);
    expect(results).toEqual([expect.objectContaining({ agreementId, status: "SUCCEEDED" })]);
    await http(`${stack.api}/api/v1/agreements/00000000-0000-0000-0000-000000000000`);

    const { status, type, text } = await scrape();

    expect(status).toBe(200);
    expect(type).toContain("text/plain");
    expect(
      sample(text, 'paysign_http_request_duration_seconds_count{method="POST",route="/api/v1/sessions",status="201"}'),
    ).toBe(1);
    expect(
      sample(
        text,
        'paysign_http_request_duration_seconds_count{method="GET",route="/api/v1/agreements/:id",status="401"}',
      ),
    ).toBe(1);
    expect(sample(text, 'paysign_notifications_total{type="dut_user_sign",outcome="APPLIED"}')).toBe(1);
    expect(sample(text, 'paysign_charge_attempts_total{outcome="success",sub_code_class="none"}')).toBe(1);
    expect(sample(text, 'paysign_charges{status="SUCCEEDED"}')).toBe(1);
    expect(sample(text, 'paysign_alipay_call_duration_seconds_count{method="alipay.trade.pay",result="success"}')).toBe(
      1,
    );
    expect(
      sample(text, 'paysign_alipay_call_duration_seconds_count{method="alipay.system.oauth.token",result="success"}'),
    ).toBe(1);
    // The one dut_user_sign was written by a batch of its own; no batch failed.
    expect(sample(text, 'paysign_statement_batch_size_count{statement="notify_write"}')).toBe(1);
    expect(sample(text, 'paysign_statement_batch_size_sum{statement="notify_write"}')).toBe(1);
    expect(sample(text, 'paysign_statement_batch_duration_seconds_count{statement="notify_write"}')).toBe(1);
    expect(sample(text, 'paysign_statement_batch_size_count{statement="notify_read"}')).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain("paysign_statement_batch_failures_total{");
    expect(sample(text, 'paysign_follow_up_backlog{state="pending"}')).toBe(0);
    expect(text).toContain("# TYPE paysign_job_queue_depth gauge");
  });

  test("a refused gateway call is counted by method and kind", async () => {
    const user = await stack.control.createUser({ balance: "1.00" });
    await http(`${stack.api}/api/v1/sessions`, { body: { authCode: "not-a-code" } });
    expect(user.status).toBe(200);
    const { text } = await scrape();
    expect(sample(text, 'paysign_alipay_call_errors_total{method="alipay.system.oauth.token",kind="definitive"}')).toBe(
      1,
    );
  });
});
