import { readFile } from "node:fs/promises";
import path from "node:path";
import { asCustomer, expectStatus, mapConcurrent, monthlyPlanId, sandbox, signIn } from "../api.ts";
import { runLoad, type LoadResult } from "../load.ts";
import { monotonicMicros } from "../profile.ts";
import { ratiosOf, round, type ScenarioResult } from "../results.ts";
import { onFreshStack, type ScenarioOptions } from "../scenario.ts";
import {
  keyObjectSigner,
  measureInTurns,
  naiveSignStr,
  reusedSdk,
  signContentOf,
  type SdkKeys,
} from "../sign-loops.ts";
import { childEnvironment } from "../env.ts";
import type { ExpressHandlerReady, ExpressHandlerSettings } from "../peers/express-handler.ts";
import { forkChild, type BenchStack } from "../stack.ts";

/** The app keys of the stack's sandbox app, as the server has them. */
export async function sdkKeysOf(stack: BenchStack): Promise<SdkKeys> {
  const info = await sandbox(stack).info();
  return {
    appId: info.body.apps[0]?.appId ?? "",
    appPrivateKey: await readFile(path.join(stack.keysDir, "app-private.pem"), "utf8"),
    alipayPublicKey: info.body.alipayPublicKey,
    gateway: `${stack.sandboxUrl}/gateway.do`,
  };
}

/**
 * `signstr`: POST /api/v1/agreements over HTTP (session check, plan and customer reads, the PENDING agreement and its
 * event in one transaction, the signStr) in requests/s, against the same signStr made in one process the naive way
 * (new AlipaySdk + sdkExecute per call), with one reused SDK, and the limit (KeyObject signing alone).
 */
export function runSignstr(options: ScenarioOptions): Promise<ScenarioResult> {
  const { sizes } = options;
  return onFreshStack("signstr", options, async ({ stack, db, markLoad }) => {
    const keys = await sdkKeysOf(stack);
    const content = signContentOf(keys);
    const sdk = reusedSdk(keys);
    const limit = keyObjectSigner(keys, content);
    const loops = measureInTurns(
      { naive: () => naiveSignStr(keys), sdk_reused: sdk, keyobject_limit: limit },
      { rounds: sizes.loopRounds, seconds: sizes.loopSeconds },
    );
    // The loops held the event loop: let idle keep-alive sockets the servers closed meanwhile be seen as closed.
    await new Promise((resolve) => setTimeout(resolve, 100));

    // The signStr is checked at the sandbox's signing center with a customer of its own: once signed, the agreement is
    // live and the same customer could not start another one for the plan (409, one live agreement per plan).
    const signer = await signIn(stack);
    const sample = await expectStatus(
      asCustomer(stack, signer, { path: "/api/v1/agreements", body: { planId: monthlyPlanId } }),
      201,
      "POST /api/v1/agreements",
    );
    const signed = await sandbox(stack).signAtCenter({
      signStr: sample.body.signStr as string,
      userId: signer.userId,
      decision: "confirm",
    });
    // The load is spread over a pool of customers, one request each in turn, so each holds a few PENDING agreements
    // as production's customers do (its PENDING cap, 20 by default, bounds them); one customer taking the whole load
    // would pile up thousands, and the cap's count of them would grow with the run.
    const customers = await mapConcurrent(
      Array.from({ length: sizes.signstrCustomers }, (_, index) => index),
      8,
      () => signIn(stack),
    );
    const customerIds = customers.map((one) => one.customerId);
    const peerCustomer = await signIn(stack);

    const load = {
      url: `${stack.apiUrl}/api/v1/agreements`,
      method: "POST" as const,
      headers: { "content-type": "application/json" },
      headerCycle: customers.map((one) => ({ authorization: `Bearer ${one.token}` })),
      body: JSON.stringify({ planId: monthlyPlanId }),
      connections: sizes.signstrConnections,
    };
    // The same load on the handler a merchant writes by hand, in its own process, on the same database; the two
    // are measured in turns (API, peer, API, peer) so the shared machine's noise falls on both alike.
    const peer = await startExpressHandler(stack, keys);
    const turns = sizes.signstrSeconds >= 4 ? 2 : 1;
    const turnSeconds = sizes.signstrSeconds / turns;
    let warmUp: LoadResult, measured: LoadResult, express: { warmUp: LoadResult; measured: LoadResult };
    try {
      const peerLoad = {
        url: `${peer.ready.url}/agreements`,
        method: "POST" as const,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ customerId: peerCustomer.customerId, planId: monthlyPlanId }),
        connections: sizes.signstrConnections,
      };
      const warmUpSeconds = Math.min(2, sizes.signstrSeconds);
      warmUp = await runLoad({ ...load, durationSeconds: warmUpSeconds });
      const peerWarmUp = await runLoad({ ...peerLoad, durationSeconds: warmUpSeconds });
      const apiTurns: LoadResult[] = [];
      const peerTurns: LoadResult[] = [];
      for (let turn = 0; turn < turns; turn++) {
        const from = monotonicMicros();
        apiTurns.push(await runLoad({ ...load, durationSeconds: turnSeconds }));
        // The profile summary covers the API's first measured turn.
        if (turn === 0) markLoad({ from, to: monotonicMicros() });
        peerTurns.push(await runLoad({ ...peerLoad, durationSeconds: turnSeconds }));
      }
      measured = combineTurns(apiTurns);
      express = { warmUp: peerWarmUp, measured: combineTurns(peerTurns) };
    } finally {
      await peer.stop();
    }

    // Requests still in flight when a timed run stops are answered after autocannon's count: up to one per connection
    // and run (the warm-up and each turn).
    const answered201 = warmUp.total - warmUp.non2xx + measured.total - measured.non2xx;
    const inFlight = (1 + turns) * sizes.signstrConnections;
    const [expressRows, perCustomer, events] = await Promise.all([
      db.prisma.agreement.count({ where: { customerId: peerCustomer.customerId } }),
      db.prisma.agreement.groupBy({
        by: ["customerId"],
        where: { customerId: { in: customerIds }, status: "PENDING" },
        _count: { _all: true },
      }),
      db.prisma.agreementEvent.count({
        where: { toStatus: "PENDING", agreement: { customerId: { in: customerIds } } },
      }),
    ]);
    const agreements = perCustomer.reduce((total, row) => total + row._count._all, 0);
    const allAgreements = await db.prisma.agreement.count({ where: { customerId: { in: customerIds } } });
    const value = measured.perSecond;
    const peers = {
      naive: round(loops.naive ?? 0),
      sdk_reused: round(loops.sdk_reused ?? 0),
      keyobject_limit: round(loops.keyobject_limit ?? 0),
      express_handler: round(express.measured.perSecond),
    };
    const express201 = express.warmUp.total + express.measured.total;
    return {
      status: "ok",
      value: round(value),
      unit: "signStr/s",
      p50_ms: measured.p50Ms,
      p99_ms: measured.p99Ms,
      peers,
      ratios: ratiosOf("signstr", value, peers),
      checks: {
        every_request_201: measured.non2xx === 0 && measured.errors === 0 && warmUp.non2xx === 0,
        one_pending_agreement_per_201:
          agreements === allAgreements && agreements >= answered201 && agreements <= answered201 + inFlight,
        one_event_per_agreement: events === agreements,
        sandbox_signs_the_signstr: signed.body.resultStatus === "7000",
        express_handler_every_request_201:
          express.measured.non2xx === 0 && express.measured.errors === 0 && express.warmUp.non2xx === 0,
        express_handler_one_row_per_201: expressRows >= express201 && expressRows <= express201 + inFlight,
      },
      details: {
        requests: measured.total,
        seconds: measured.durationSeconds,
        connections: sizes.signstrConnections,
        database_pool: 10,
        agreements_created: agreements,
        customers: customers.length,
        max_pending_per_customer: Math.max(0, ...perCustomer.map((row) => row._count._all)),
        turns,
        warm_up_requests: warmUp.total,
        express_handler_warm_up_requests: express.warmUp.total,
        express_handler_requests: express.measured.total,
        express_handler_rows: expressRows,
        api_node_env: stack.nodeEnv,
      },
    };
  });
}

/** Starts the express_handler peer (bench/peers/express-handler.ts) on the stack's database and sandbox app. */
function startExpressHandler(stack: BenchStack, keys: SdkKeys) {
  const settings: ExpressHandlerSettings = {
    databaseUrl: stack.databaseUrl,
    appId: keys.appId,
    appPrivateKey: keys.appPrivateKey,
    alipayPublicKey: keys.alipayPublicKey,
    gateway: keys.gateway,
    notifyUrl: `${stack.apiUrl}/alipay/notify`,
    planId: monthlyPlanId,
  };
  return forkChild<ExpressHandlerReady>(path.join(import.meta.dirname, "..", "peers", "express-handler.ts"), {
    args: [JSON.stringify(settings)],
    env: childEnvironment({ NODE_ENV: "production" }),
  });
}

/** Timed turns of one load as one: counts and seconds summed, the slower turn's latencies. */
function combineTurns(turns: LoadResult[]): LoadResult {
  const sum = (pick: (turn: LoadResult) => number) => turns.reduce((total, turn) => total + pick(turn), 0);
  const total = sum((turn) => turn.total);
  const durationSeconds = sum((turn) => turn.durationSeconds);
  return {
    total,
    non2xx: sum((turn) => turn.non2xx),
    errors: sum((turn) => turn.errors),
    timeouts: sum((turn) => turn.timeouts),
    durationSeconds,
    perSecond: total / durationSeconds,
    p50Ms: Math.max(...turns.map((turn) => turn.p50Ms)),
    p99Ms: Math.max(...turns.map((turn) => turn.p99Ms)),
  };
}
