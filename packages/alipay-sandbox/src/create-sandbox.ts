import express from "express";
import type { Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { appEntry, resolveConfig, type RegisteredApp, type SandboxOptions } from "./config.ts";
import type { RsaKeyPair } from "./crypto/keys.ts";
import { controlErrorHandler } from "./control/control-error.ts";
import { createBillFiles } from "./bill/bill-files.ts";
import { createBillRoute } from "./bill/bill-route.ts";
import { createAppsRoutes } from "./control/apps-routes.ts";
import { createBillPlantRoutes } from "./control/bill-plant-routes.ts";
import { createClockRoutes } from "./control/clock-routes.ts";
import { createFaultsRoutes } from "./control/faults-routes.ts";
import { createInfoRoutes } from "./control/info-routes.ts";
import { createRecordsRoutes } from "./control/records-routes.ts";
import { createSignRoutes } from "./control/sign-routes.ts";
import { createUsersRoutes } from "./control/users-routes.ts";
import { createFaultStore } from "./faults/fault-store.ts";
import { createLateRequests } from "./faults/late-requests.ts";
import { createGatewayRouter } from "./gateway/gateway-route.ts";
import { createNotifier } from "./notify/notifier.ts";
import type { SandboxDeps } from "./sandbox-deps.ts";
import { createSandboxClock } from "./state/clock.ts";
import { createStateStore } from "./state/store.ts";

export type Sandbox = {
  /** Starts listening on 127.0.0.1 (port 0 picks a free one) and resolves to the base URL, e.g. http://127.0.0.1:4100. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Base URL once listening. */
  readonly url: string;
  /** `${url}/gateway.do`: the `gateway` option of alipay-sdk. */
  readonly gatewayUrl: string;
  /** The sandbox's "Alipay" key pair (PEM); its public key is the merchant's `alipayPublicKey`. */
  readonly alipayKeys: RsaKeyPair;
  readonly alipayPublicKey: string;
  registerApp(app: RegisteredApp): void;
  readonly apps: RegisteredApp[];
  /** The Express app, for supertest or mounting. */
  readonly app: express.Express;
  /** The simulated clock. */
  now(): Date;
  /** Resolves when no notification attempt is in flight. */
  settleNotifications(): Promise<void>;
};

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const config = resolveConfig(options);
  const store = createStateStore({ stateFile: config.stateFile });
  const clock = createSandboxClock(store);
  const faults = createFaultStore();
  const notifier = createNotifier({
    store,
    clock,
    faults,
    alipayPrivateKey: config.alipayPrivateKey,
    apps: config.apps,
    notifyEmptyValues: config.notifyEmptyValues,
    timeScale: config.timeScale,
    notifyTimeoutMs: config.notifyTimeoutMs,
  });
  clock.onChange(() => notifier.handleClockChange());
  const lateRequests = createLateRequests();
  const bills = createBillFiles();
  const deps: SandboxDeps = { config, store, clock, faults, lateRequests, notifier, timers: new Set(), bills };
  const heldSockets = new Set<Socket>();

  const resetAll = () => {
    faults.clear();
    lateRequests.clear();
    notifier.reset();
    for (const timer of deps.timers) clearTimeout(timer);
    deps.timers.clear();
    store.reset();
    bills.clear();
  };

  const app = express();
  app.disable("x-powered-by");
  app.use(createGatewayRouter(deps, heldSockets));
  app.use(createBillRoute(deps));
  app.use("/sandbox", express.json({ limit: "1mb" }));
  app.use(createUsersRoutes(deps));
  app.use(createClockRoutes(deps));
  app.use(createSignRoutes(deps));
  app.use(createFaultsRoutes(deps));
  app.use(createRecordsRoutes(deps, resetAll));
  app.use(createInfoRoutes(deps));
  app.use(createAppsRoutes(deps));
  app.use(createBillPlantRoutes(deps));
  app.use(controlErrorHandler);

  let server: Server | null = null;
  let url = "";
  notifier.resumePending();

  return {
    app,
    alipayKeys: config.alipayKeys,
    alipayPublicKey: config.alipayKeys.publicKey,
    get url() {
      return url;
    },
    get gatewayUrl() {
      return `${url}/gateway.do`;
    },
    get apps() {
      return [...config.apps.values()].map((entry) => entry.app);
    },
    registerApp(registered) {
      config.apps.set(registered.appId, appEntry(registered));
    },
    now: () => clock.now(),
    settleNotifications: () => notifier.idle(),
    listen(port = 0, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        const listening = app.listen(port, host, (error?: Error) => {
          if (error) return reject(error);
          const address = listening.address() as AddressInfo;
          url = `http://${host}:${address.port}`;
          resolve(url);
        });
        server = listening;
      });
    },
    async close() {
      notifier.close();
      store.flush();
      for (const timer of deps.timers) clearTimeout(timer);
      for (const socket of heldSockets) socket.destroy();
      const running = server;
      server = null;
      if (!running) return;
      await new Promise<void>((resolve) => {
        running.close(() => resolve());
        running.closeAllConnections();
      });
    },
  };
}
