import { createAlipayClient } from "../../src/alipay/alipay-client.ts";
import { sandboxClock, systemClock } from "../../src/clock.ts";
import { loadConfig } from "../../src/env.ts";
import { createLogger } from "../../src/logger.ts";

// Run by alipay-client.test.ts with a TZ of its choice: the server's client built from the environment as server.ts
// builds it, one gateway call and one sign string, reported as JSON on stdout.
// It serves no requests, so it needs no admin key or session secret (as the worker and the database scripts).
const config = loadConfig(process.env, { secrets: false });
if (!config.alipay) throw new Error("set ALIPAY_APP_ID, ALIPAY_PRIVATE_KEY and ALIPAY_PUBLIC_KEY");
const clock = config.sandboxUrl ? sandboxClock(config.sandboxUrl) : systemClock;
const logger = createLogger({ level: "warn", destination: process.stderr });
const client = createAlipayClient(config.alipay, { clock, logger });

const query = await client.call("alipay.trade.query", { out_trade_no: "TZ_CHECK" });
const signStr = await client.buildPaySignStr({
  personal_product_code: "CYCLE_PAY_AUTH_P",
  sign_scene: "INDUSTRY|DIGITAL_MEDIA",
  external_agreement_no: "TZCHECK1",
  access_params: { channel: "ALIPAYAPP" },
  period_rule_params: { period_type: "DAY", period: 7, execute_time: "2026-12-01", single_amount: "1.00" },
});
process.stdout.write(JSON.stringify({ timezoneOffsetMinutes: new Date().getTimezoneOffset(), query, signStr }));
