import dns from "node:dns";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";
import { isForbiddenWebhookAddress } from "./address-policy.ts";

/** What one POST to a receiver gave. `statusCode` null: no answer (timeout, refused connection, refused address). */
export type WebhookHttpResult = {
  statusCode: number | null;
  /** The first 1 KB of the answer, decoded as UTF-8 (invalid bytes replaced, NUL removed). */
  responseBody: string;
  error: string | null;
  latencyMs: number;
};

export type WebhookSender = {
  post(input: { url: string; headers: Record<string, string>; body: string }): Promise<WebhookHttpResult>;
  close(): Promise<void>;
};

const responseBodyBytes = 1024;
const refusedCode = "WEBHOOK_ADDRESS_REFUSED";

function refusal(address: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `refused to connect to ${address}: loopback, private, link-local and reserved addresses are not webhook targets in production`,
  );
  error.code = refusedCode;
  return error;
}

/**
 * net's `lookup` for production: resolves as usual and hands over only addresses isForbiddenWebhookAddress allows,
 * so the address connected to is the one checked (a name that resolved to a public address when the endpoint was
 * created and to a private one now — DNS rebinding — is refused here).
 */
const guardedLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 0);
    const allowed = addresses.filter((entry) => !isForbiddenWebhookAddress(entry.address));
    const first = allowed[0];
    if (!first) return callback(refusal(addresses[0]?.address ?? hostname), "", 0);
    if (options.all) return callback(null, allowed);
    callback(null, first.address, first.family);
  });
};

/**
 * Why a production sender refuses this URL before connecting, or null: a forbidden literal IP, a name resolving only to
 * forbidden addresses (the more precise reason, checked first), or a scheme other than https (a URL stored before
 * production, or edited in the database, is refused at send time as at creation).
 */
async function productionRefusal(url: URL): Promise<NodeJS.ErrnoException | null> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  // net.connect skips `lookup` for a literal IP: check it here.
  if (net.isIP(host) !== 0) {
    if (isForbiddenWebhookAddress(host)) return refusal(host);
  } else if (url.protocol !== "https:") {
    const resolved = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      guardedLookup(host, { all: true }, (error) => resolve(error));
    });
    if (resolved?.code === refusedCode) return resolved;
  }
  if (url.protocol !== "https:") {
    const error: NodeJS.ErrnoException = new Error(
      `refused to send to a ${url.protocol}// URL: webhook URLs must be https in production`,
    );
    error.code = refusedCode;
    return error;
  }
  return null;
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (cause) return describeError(cause, timeoutMs);
  return [typeof code === "string" ? code : undefined, typeof message === "string" ? message : String(error)]
    .filter(Boolean)
    .join(": ");
}

async function readStart(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= responseBodyBytes) break;
    }
  } catch {
    // The answer's status is what counts; a body cut short keeps what arrived.
  }
  const bytes = Buffer.concat(chunks).subarray(0, responseBodyBytes);
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes).replaceAll("\u0000", "");
}

/**
 * POSTs webhook bodies over one keep-alive undici Agent. Redirects are never followed (a 3xx is a failed attempt).
 * `production`: only https URLs, and only addresses isForbiddenWebhookAddress allows are connected to, checked on
 * the resolved address (and on a literal IP in the URL before any connection); a refusal is an attempt without answer. An attempt has `timeoutMs` for the status and the first
 * 1 KB of the body.
 */
export function createWebhookSender(options: { production: boolean; timeoutMs: number }): WebhookSender {
  const { production, timeoutMs } = options;
  const agent = new Agent({
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: timeoutMs, ...(production && { lookup: guardedLookup }) },
  });
  return {
    async post(input) {
      const started = performance.now();
      const latencyMs = () => Math.round(performance.now() - started);
      try {
        const refused = production ? await productionRefusal(new URL(input.url)) : null;
        if (refused) throw refused;
        const answer = await request(input.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...input.headers },
          body: input.body,
          dispatcher: agent,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const statusLatency = latencyMs();
        const responseBody = await readStart(answer.body);
        return { statusCode: answer.statusCode, responseBody, error: null, latencyMs: statusLatency };
      } catch (error) {
        return { statusCode: null, responseBody: "", error: describeError(error, timeoutMs), latencyMs: latencyMs() };
      }
    },
    close: () => agent.close(),
  };
}
