import type { BillFiles } from "./bill/bill-files.ts";
import type { SandboxConfig } from "./config.ts";
import type { FaultStore } from "./faults/fault-store.ts";
import type { LateRequests } from "./faults/late-requests.ts";
import type { Notifier } from "./notify/notifier.ts";
import type { SandboxClock } from "./state/clock.ts";
import type { StateStore } from "./state/store.ts";

/** Everything a route or service needs, built once by createSandbox and passed down. */
export type SandboxDeps = {
  config: SandboxConfig;
  store: StateStore;
  clock: SandboxClock;
  faults: FaultStore;
  /** trade.pay requests held by a `late-processing` fault until the control API releases them. */
  lateRequests: LateRequests;
  notifier: Notifier;
  /** Timers owned by services (pay-in-process settlement); cleared on close. */
  timers: Set<NodeJS.Timeout>;
  /** The zips handed out by bill.downloadurl.query (docs/alipay-protocol.md §21). */
  bills: BillFiles;
};
