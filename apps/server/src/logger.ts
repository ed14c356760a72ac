import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Keys never written to logs, wherever they sit: keys, Alipay signatures, sign strings, tokens, webhook signing
 * secrets and personal data.
 */
const secretKeys = [
  "privateKey",
  "alipayPublicKey",
  "sign",
  "signStr",
  "authCode",
  "auth_code",
  "token",
  "alipay_logon_id",
  "buyer_logon_id",
  "secret",
  "previousSecret",
];

/** How deep a secret key is looked for (pino's redaction has no recursive wildcard): `sign`, `a.sign`, … `a.b.c.sign`. */
const REDACT_DEPTH = 4;

/** Paths never written to logs: each secret key at the top level and under up to three levels, auth headers and the console's session cookie. */
const redactedPaths = [
  ...secretKeys.flatMap((key) =>
    Array.from({ length: REDACT_DEPTH }, (_, depth) => [...Array<string>(depth).fill("*"), key].join(".")),
  ),
  "req.headers.authorization",
  "req.headers['x-admin-key']",
  "req.headers.cookie",
  "res.headers['set-cookie']",
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
