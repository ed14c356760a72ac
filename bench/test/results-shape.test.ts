import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { defined } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BenchResults, ScenarioResult } from "../results.ts";
import { runBench, writeResults } from "../run.ts";
import { smallSizes } from "../scenario.ts";

// A tiny run of the notify and deductions scenarios through the same code as `pnpm bench`: the shape of
// results.json and the correctness checks, never the speed.

let dir: string;
let written: BenchResults;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "paysign-bench-test-"));
  const results = await runBench({ only: ["notify", "deductions"], scenario: { sizes: smallSizes } });
  const file = path.join(dir, "results.json");
  await writeResults(results, file);
  written = JSON.parse(await readFile(file, "utf8")) as BenchResults;
  // Two fresh stacks and the four worker processes of workers_4: 89 s in a clean-clone CI run, 125 s on a host busy
  // with other work.
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectShape(name: string, unit: string) {
  const result: ScenarioResult | undefined = written.scenarios[name];
  expect(result?.status).toBe("ok");
  expect(result?.unit).toBe(unit);
  expect(result?.value).toBeGreaterThan(0);
  for (const [peer, value] of Object.entries(defined(result, "result").peers)) {
    expect(value, peer).toBeGreaterThan(0);
    expect(defined(result, "result").ratios[`${name}/${peer}`], peer).toBeGreaterThan(0);
  }
}

describe("pnpm bench results", () => {
  test("results.json names the machine and each scenario with value, unit, peers and ratios", () => {
    expect(written.machine.cores).toBeGreaterThan(0);
    expect(written.machine.node).toMatch(/^v\d+/);
    expect(Object.keys(written.scenarios)).toEqual(["notify", "deductions"]);
    expectShape("notify", "notifications/s");
    expectShape("deductions", "charges/s");
    expect(written.scenarios.notify?.p99_ms).toBeGreaterThanOrEqual(written.scenarios.notify?.p50_ms ?? 0);
    expect(Object.keys(defined(written.scenarios.notify, "written.scenarios.notify").peers)).toEqual([
      "target",
      "forged_refused",
      "healthz",
    ]);
    expect(Object.keys(defined(written.scenarios.deductions, "written.scenarios.deductions").peers)).toEqual([
      "gateway_sequential",
    ]);
  });

  test("notify: every agreement ACTIVE once, one inbox row per notify_id, duplicates answered success", () => {
    const notify = defined(written.scenarios.notify, "written.scenarios.notify");
    expect(notify.checks).toEqual({
      every_notification_answered_success: true,
      forged_copies_refused: true,
      every_agreement_active: true,
      one_pending_to_active_event_each: true,
      one_inbox_row_per_notify_id: true,
      every_notify_id_applied_once: true,
    });
    expect(notify.details.api_peak_rss_mb).toBeGreaterThan(0);
    expect(notify.details.api_peak_rss_target_mb).toBe(256);
    expect(notify.details.api_startup_peak_rss_mb).toBeGreaterThan(0);
    expect(notify.details.api_cpu_ms_per_request).toBeGreaterThan(0);
    expect(notify.details.postgres_cpu_ms_per_request).toBeGreaterThanOrEqual(0);
    expect(notify.details.forged_refused_api_cpu_ms_per_request).toBeGreaterThan(0);
    expect(notify.details.duplicates).toBeGreaterThan(0);
    // The API's batch histograms account for the measured load: each request read at least once, each of its
    // agreements' notifications written at least once (a duplicate stops at its read).
    expect(notify.details.notify_read_items).toBeGreaterThanOrEqual(Number(notify.details.measured_requests));
    expect(notify.details.notify_write_items).toBeGreaterThanOrEqual(Number(notify.details.measured_agreements));
    expect(notify.details.notify_write_batches).toBeLessThanOrEqual(Number(notify.details.notify_write_items));
    expect(notify.details.notify_write_mean_ms).toBeGreaterThan(0);
  });

  test("deductions: trades in the sandbox equal successful charges, no period charged twice (also with 4 workers)", () => {
    const deductions = defined(written.scenarios.deductions, "written.scenarios.deductions");
    expect(deductions.checks).toEqual({
      every_due_agreement_charged_once: true,
      sandbox_trades_equal_successful_charges: true,
      no_period_charged_twice: true,
      second_run_makes_no_new_trade: true,
      workers_4_every_due_agreement_charged_once: true,
      workers_4_no_period_charged_twice: true,
    });
    expect(deductions.details.api_peak_rss_mb).toBeGreaterThan(0);
    expect(deductions.details.api_peak_rss_target_mb).toBe(256);
    expect(deductions.details.api_startup_peak_rss_mb).toBeGreaterThan(0);
    expect(deductions.details.trades).toBe(smallSizes.deductionAgreements + smallSizes.deductionWarmUp);
    expect(deductions.details.warm_up_charges).toBe(smallSizes.deductionWarmUp);
    expect(deductions.details.workers_4_succeeded).toBe(smallSizes.deductionAgreements);
    expect(deductions.details.workers_4_charges_per_s).toBeGreaterThan(0);
  });
});

describe("pnpm bench console row", () => {
  test("the console's initial JavaScript, gzipped, against its 300 KB target, charts loaded on demand", async () => {
    const results = await runBench({ only: ["console"], scenario: { sizes: smallSizes } });
    const file = path.join(dir, "console-results.json");
    await writeResults(results, file);
    const consoleRow = defined(
      (JSON.parse(await readFile(file, "utf8")) as BenchResults).scenarios.console,
      "scenarios.console",
    );
    expect(consoleRow.status).toBe("ok");
    expect(consoleRow.unit).toBe("bytes gzip");
    expect(consoleRow.value).toBeGreaterThan(0);
    expect(Object.keys(consoleRow.peers)).toEqual(["target", "all_javascript"]);
    expect(consoleRow.peers.target).toBe(300 * 1024);
    expect(consoleRow.ratios["console/target"]).toBeGreaterThan(0);
    expect(consoleRow.checks).toEqual({ under_300_kb: true, charts_load_on_demand: true });
  }, 120_000);
});

describe("pnpm bench scale row", () => {
  test("three table sizes: the tick selects exactly the due set, fixed-due tick and list timed, plans stored", async () => {
    const results = await runBench({ only: ["scale"], scenario: { sizes: smallSizes } });
    const file = path.join(dir, "scale-results.json");
    await writeResults(results, file);
    const scale = defined(
      (JSON.parse(await readFile(file, "utf8")) as BenchResults).scenarios.scale,
      "scenarios.scale",
    );
    expect(scale.status).toBe("ok");
    expect(scale.unit).toBe("ms fixed-due tick, largest table");
    expect(scale.value).toBeGreaterThan(0);
    expect(Object.keys(scale.peers)).toEqual(["fixed_due_tick_smallest_table"]);
    expect(scale.ratios["scale/fixed_due_tick_smallest_table"]).toBeGreaterThan(0);
    // Tiny tables may be scanned whole by choice of the planner: the plan check is asserted on full runs only.
    expect(scale.checks).toEqual({
      tick_selects_exactly_the_due_set: true,
      plans_use_indexes: expect.any(Boolean) as unknown,
      list_first_page_full: true,
    });
    const [smallest, , largest] = smallSizes.scaleSizes.map((size) => `${size / 1_000}k`);
    for (const at of [smallest, largest]) {
      expect(scale.details[`due_${at}`]).toBeGreaterThan(0);
      expect(scale.details[`tick_ms_${at}`]).toBeGreaterThan(0);
      expect(scale.details[`tick_ms_per_due_${at}`]).toBeGreaterThan(0);
      expect(scale.details[`fixed_due_tick_ms_${at}`]).toBeGreaterThan(0);
      expect(scale.details[`list_ms_${at}`]).toBeGreaterThan(0);
    }
    expect(scale.details[`fixed_due_tick_ratio_${largest}_over_${smallest}`]).toBeGreaterThan(0);
    for (const plan of ["plan_due", "plan_unsettled", "plan_list"]) expect(scale.details[plan]).toMatch(/Scan on /);
  }, 180_000);
});

describe("pnpm bench webhooks row", () => {
  test("deliveries/s to a local receiver, every event delivered once, in each agreement's order, against direct POSTs", async () => {
    const results = await runBench({ only: ["webhooks"], scenario: { sizes: smallSizes } });
    const file = path.join(dir, "webhooks-results.json");
    await writeResults(results, file);
    const row = defined((JSON.parse(await readFile(file, "utf8")) as BenchResults).scenarios.webhooks, "webhooks");
    expect(row.status).toBe("ok");
    expect(row.unit).toBe("deliveries/s");
    expect(row.value).toBeGreaterThan(0);
    expect(Object.keys(row.peers)).toEqual(["receiver_direct"]);
    expect(row.ratios["webhooks/receiver_direct"]).toBeGreaterThan(0);
    expect(row.checks).toEqual({
      every_event_delivered: true,
      none_lost: true,
      none_sent_twice: true,
      per_agreement_order: true,
    });
    expect(row.details.events).toBe(smallSizes.webhookEvents);
  }, 120_000);
});
describe("pnpm bench signstr row", () => {
  test("signstr against its peers, express_handler included, every check true, the API in production mode", async () => {
    const results = await runBench({ only: ["signstr"], scenario: { sizes: smallSizes } });
    const file = path.join(dir, "signstr-results.json");
    await writeResults(results, file);
    const signstr = defined(
      (JSON.parse(await readFile(file, "utf8")) as BenchResults).scenarios.signstr,
      "scenarios.signstr",
    );
    expect(signstr.status).toBe("ok");
    expect(signstr.unit).toBe("signStr/s");
    expect(signstr.value).toBeGreaterThan(0);
    expect(Object.keys(signstr.peers)).toEqual(["naive", "sdk_reused", "keyobject_limit", "express_handler"]);
    for (const peer of Object.keys(signstr.peers)) expect(signstr.ratios[`signstr/${peer}`], peer).toBeGreaterThan(0);
    expect(signstr.checks).toEqual({
      every_request_201: true,
      one_pending_agreement_per_201: true,
      one_event_per_agreement: true,
      sandbox_signs_the_signstr: true,
      express_handler_every_request_201: true,
      express_handler_one_row_per_201: true,
    });
    expect(signstr.details.api_node_env).toBe("production");
    expect(signstr.details.express_handler_rows).toBeGreaterThan(0);
  }, 180_000);
});
