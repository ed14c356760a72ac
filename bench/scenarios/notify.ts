import { createPrivateKey, createSign, randomBytes, randomInt, randomUUID, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { defined } from "@paysign/test-kit";
import { asCustomer, expectStatus, mapConcurrent, monthlyPlanId, sandbox, signIn, type Json } from "../api.ts";
import { cpuMsPerRequest, cpuSnapshot } from "../cpu-time.ts";
import { runLoad } from "../load.ts";
import { apiPeakRss } from "../memory.ts";
import { monotonicMicros } from "../profile.ts";
import type { Database } from "@paysign/server";
import { ratiosOf, round, type ScenarioResult } from "../results.ts";
import { onFreshStack, type ScenarioOptions } from "../scenario.ts";
import { statementBatchesBetween, statementBatchTotals } from "../statement-batches.ts";
import type { BenchStack } from "../stack.ts";

const NOTIFY_TARGET_PER_SECOND = 1_000;
const DUPLICATE_SHARE = 0.2;

type Target = { agreementId: string; externalAgreementNo: string; alipayUserId: string };

const digits = (count: number) => Array.from({ length: count }, () => randomInt(10)).join("");

/** A dut_user_sign as the sandbox (Alipay) sends it, signed with its private key over the sorted params. */
function dutUserSign(
  target: Target,
  appId: string,
  key: KeyObject,
): { notifyId: string; body: string; forgedBody: string } {
  const params: Record<string, string> = {
    notify_id: digits(34),
    notify_time: "2026-11-22 10:00:05",
    notify_type: "dut_user_sign",
    app_id: appId,
    auth_app_id: appId,
    charset: "utf-8",
    version: "1.0",
    status: "NORMAL",
    agreement_no: `2026${digits(16)}`,
    external_agreement_no: target.externalAgreementNo,
    personal_product_code: "CYCLE_PAY_AUTH_P",
    sign_scene: "INDUSTRY|DIGITAL_MEDIA",
    alipay_user_id: target.alipayUserId,
    sign_time: "2026-11-22 10:00:00",
    valid_time: "2026-11-22 10:00:00",
    invalid_time: "2115-02-01 00:00:00",
  };
  const content = Object.keys(params)
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join("&");
  const signature = createSign("RSA-SHA256").update(content, "utf8").sign(key);
  const form = (sign: Buffer) => new URLSearchParams({ ...params, sign_type: "RSA2", sign: sign.toString("base64") });
  return {
    notifyId: defined(params.notify_id, "notify_id"),
    body: form(signature).toString(),
    forgedBody: form(forgedSignature(signature)).toString(),
  };
}

/**
 * The signature with its last bit flipped: the same length and still below the key's modulus, so the server's RSA
 * verification runs in full and fails (a signature that is not below the modulus is refused before any arithmetic,
 * which would make the forged peer cheaper than a verification).
 */
function forgedSignature(signature: Buffer): Buffer {
  const forged = Buffer.from(signature);
  forged[forged.length - 1] = (forged.at(-1) ?? 0) ^ 1;
  return forged;
}

/**
 * Bodies in sending order: each notification once, plus re-deliveries of a quarter of them (20 % of what is sent),
 * each placed a few positions after its original so many race it on another connection.
 */
function withDuplicates(bodies: string[]): string[] {
  const order = [...bodies];
  const duplicates = Math.round((bodies.length * DUPLICATE_SHARE) / (1 - DUPLICATE_SHARE));
  for (let count = 0; count < duplicates; count++) {
    const original = defined(bodies[randomInt(bodies.length)], "a body to duplicate");
    const at = Math.min(order.length, order.indexOf(original) + 1 + randomInt(48));
    order.splice(at, 0, original);
  }
  return order;
}

/**
 * PENDING agreements: one per customer made the way customers make them (POST /api/v1/agreements), the rest copied
 * from those rows with new ids and external numbers, each for a customer row of its own (two signed agreements of one
 * customer and plan would make the later a duplicate, docs/alipay-protocol.md §17.6), with their first event, in one
 * batch (the API makes ~300/s here,
 * which would spend the run's time on setup).
 */
async function pendingAgreements(stack: BenchStack, db: Database, count: number): Promise<Target[]> {
  const customers = await mapConcurrent(
    Array.from({ length: Math.min(20, count) }, () => 0),
    4,
    () => signIn(stack),
  );
  const made = await mapConcurrent(customers, 4, async (customer) => {
    const created = await expectStatus(
      asCustomer(stack, customer, { path: "/api/v1/agreements", body: { planId: monthlyPlanId } }),
      201,
      "POST /api/v1/agreements",
    );
    return { id: (created.body.agreement as Json).id as string, alipayUserId: customer.userId };
  });
  const templates = await db.prisma.agreement.findMany({ where: { id: { in: made.map((entry) => entry.id) } } });
  const copies = Array.from({ length: count - templates.length }, (_, index) => {
    const template = defined(templates[index % templates.length], "a template agreement");
    return {
      ...template,
      id: randomUUID(),
      customerId: randomUUID(),
      externalAgreementNo: `${template.externalAgreementNo.slice(0, 10)}${randomBytes(11).toString("hex").toUpperCase()}`,
    };
  });
  // In chunks below PostgreSQL's parameter limit, one after the other: Prisma splits a larger createMany into
  // chunks it sends concurrently on one connection (pg warns: "client.query() when the client is already executing").
  for (let start = 0; start < copies.length; start += 500) {
    const chunk = copies.slice(start, start + 500);
    await db.prisma.customer.createMany({ data: chunk.map((copy) => ({ id: copy.customerId })) });
    await db.prisma.agreement.createMany({ data: chunk });
    await db.prisma.agreementEvent.createMany({
      data: chunk.map((copy) => ({
        id: randomUUID(),
        agreementId: copy.id,
        fromStatus: null,
        toStatus: "PENDING" as const,
        source: "CUSTOMER" as const,
        reason: "sign string issued",
      })),
    });
  }
  return [...templates, ...copies].map((row) => ({
    agreementId: row.id,
    externalAgreementNo: row.externalAgreementNo,
    alipayUserId: row.alipayUserId ?? "",
  }));
}

/**
 * `notify`: verified dut_user_sign notifications for distinct PENDING agreements over HTTP with concurrency, 20 %
 * duplicates mixed in; notifications/s and latency. Peers on the same stack and connections: the target, a forged
 * copy of each (HTTP, form and RSA verification, nothing stored) and GET /healthz (the HTTP floor). Details add the
 * CPU milliseconds a request cost the API and its PostgreSQL, for the notifications and for the forged copies.
 */
export function runNotify(options: ScenarioOptions): Promise<ScenarioResult> {
  const { sizes } = options;
  return onFreshStack("notify", options, async ({ stack, db, markLoad }) => {
    const info = await sandbox(stack).info();
    const appId = info.body.apps[0]?.appId ?? "";
    const alipayKey = createPrivateKey(await readFile(path.join(stack.keysDir, "sandbox-alipay-private.pem"), "utf8"));
    const targets = await pendingAgreements(stack, db, sizes.notifyWarmUp + sizes.notifyAgreements);
    const notifications = targets.map((target) => dutUserSign(target, appId, alipayKey));
    const warmUp = withDuplicates(notifications.slice(0, sizes.notifyWarmUp).map((entry) => entry.body));
    const measuredBodies = withDuplicates(notifications.slice(sizes.notifyWarmUp).map((entry) => entry.body));
    const url = `${stack.apiUrl}/alipay/notify`;
    const headers = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
    const connections = sizes.notifyConnections;

    const warm = await runLoad({ url, method: "POST", headers, connections, bodies: warmUp });
    const batchesBefore = await statementBatchTotals(stack);
    const from = monotonicMicros();
    const beforeMeasured = await cpuSnapshot(stack.pid);
    const measured = await runLoad({ url, method: "POST", headers, connections, bodies: measuredBodies });
    const afterMeasured = await cpuSnapshot(stack.pid);
    markLoad({ from, to: monotonicMicros() });
    const batches = statementBatchesBetween(batchesBefore, await statementBatchTotals(stack));

    // Peers: forged copies (a flipped signature bit) are verified and refused with 400 `fail`; /healthz answers at once.
    const forged = await runLoad({
      url,
      method: "POST",
      headers,
      connections,
      durationSeconds: sizes.floorSeconds,
      cycle: notifications.slice(sizes.notifyWarmUp, sizes.notifyWarmUp + 500).map((entry) => entry.forgedBody),
    });
    const forgedCpu = cpuMsPerRequest(afterMeasured, await cpuSnapshot(stack.pid), forged.total);
    const measuredCpu = cpuMsPerRequest(beforeMeasured, afterMeasured, measured.total);
    const floor = await runLoad({ url: `${stack.apiUrl}/healthz`, connections, durationSeconds: sizes.floorSeconds });

    const ids = targets.map((target) => target.agreementId);
    const notifyIds = notifications.map((entry) => entry.notifyId);
    const [active, activations, inboxRows, applied] = await Promise.all([
      db.prisma.agreement.count({ where: { id: { in: ids }, status: "ACTIVE" } }),
      db.prisma.agreementEvent.groupBy({
        by: ["agreementId"],
        where: { agreementId: { in: ids }, fromStatus: "PENDING", toStatus: "ACTIVE" },
        _count: { _all: true },
      }),
      db.prisma.notificationInbox.count({ where: { notifyId: { in: notifyIds } } }),
      db.prisma.notificationInbox.count({ where: { notifyId: { in: notifyIds }, outcome: "APPLIED" } }),
    ]);
    const memory = await apiPeakRss(stack);
    const value = measured.perSecond;
    const peers = {
      target: NOTIFY_TARGET_PER_SECOND,
      forged_refused: round(forged.perSecond),
      healthz: round(floor.perSecond),
    };
    const sent = warmUp.length + measuredBodies.length;
    return {
      status: "ok",
      value: round(value),
      unit: "notifications/s",
      p50_ms: measured.p50Ms,
      p99_ms: measured.p99Ms,
      peers,
      ratios: ratiosOf("notify", value, peers),
      checks: {
        every_notification_answered_success: measured.non2xx === 0 && measured.errors === 0 && warm.non2xx === 0,
        forged_copies_refused: forged.non2xx === forged.total && forged.total > 0,
        every_agreement_active: active === ids.length,
        one_pending_to_active_event_each:
          activations.length === ids.length && activations.every((row) => row._count._all === 1),
        one_inbox_row_per_notify_id: inboxRows === notifyIds.length,
        every_notify_id_applied_once: applied === notifyIds.length,
      },
      details: {
        agreements: ids.length,
        sent,
        duplicates: sent - ids.length,
        measured_requests: measured.total,
        measured_agreements: targets.length - sizes.notifyWarmUp,
        seconds: measured.durationSeconds,
        connections,
        ...(measuredCpu && forgedCpu
          ? {
              api_cpu_ms_per_request: measuredCpu.api,
              postgres_cpu_ms_per_request: measuredCpu.postgres,
              forged_refused_api_cpu_ms_per_request: forgedCpu.api,
            }
          : {}),
        // The hot path's read and write batches during the measured load (the API's /metrics histograms).
        ...batches,
        ...memory.details,
      },
    };
  });
}
