import { pino, type Logger } from "pino";

export type { Logger };

/** Paths never written to logs: keys, Alipay signatures, sign strings and personal data. */
export const redactedPaths = [
  "*.privateKey",
  "*.alipayPublicKey",
  "*.sign",
  "*.signStr",
  "*.authCode",
  "*.token",
  "*.alipay_logon_id",
  "*.buyer_logon_id",
  "req.headers.authorization",
  "req.headers['x-admin-key']",
  "req.headers.cookie",
  "params.sign",
  "body.sign",
];

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: redactedPaths, censor: "[redacted]" },
      base: { service: "paysign-server" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
