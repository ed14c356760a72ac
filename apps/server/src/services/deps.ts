import type { AlipayClient } from "../alipay/alipay-client.ts";
import type { Clock } from "../clock.ts";
import type { Database } from "../db/prisma.ts";
import type { Config } from "../env.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics/metrics.ts";

/** What services need; built once in createApp and passed down (no singletons). */
export type ServiceDeps = {
  config: Config;
  db: Database;
  logger: Logger;
  clock: Clock;
  /** Unset when Alipay is not configured: routes that need it answer 503 with what to configure. */
  alipay: AlipayClient | undefined;
  /** Where counters are recorded; unset in tests that do not read them. */
  metrics?: Metrics | undefined;
};
