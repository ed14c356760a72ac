import { lookup } from "node:dns/promises";
import { WEBHOOK_URL_MAX_LENGTH } from "@paysign/contracts";
import ipaddr from "ipaddr.js";
import { AppError } from "../errors.ts";
import { forbiddenWebhookAddressRange, isForbiddenWebhookAddress } from "./address-policy.ts";

/** Every address a host name resolves to (IPv4 and IPv6, as strings). */
export type HostResolver = (hostname: string) => Promise<string[]>;

/** The system resolver (`dns.promises.lookup` with `all`): what an HTTP client would connect to. */
const systemHostResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

export type WebhookUrlPolicy = {
  /** `NODE_ENV=production`: https only, and no loopback, link-local, private or reserved target (SSRF). */
  production: boolean;
  /** Defaults to the system resolver; tests pass their own. */
  resolve?: HostResolver | undefined;
};

export type CheckedWebhookUrl = {
  /** The URL as WHATWG normalises it (`http://2130706433/` → `http://127.0.0.1/`): what is stored and requested. */
  url: string;
  /** In production, the addresses checked (the literal IP, or every address the host resolved to); else empty. */
  addresses: string[];
};

const refuse = (message: string) => new AppError("BAD_REQUEST", message);

/** The range that makes an address forbidden ("loopback", "private", "siteLocal", …; see address-policy.ts). */
function rangeOf(address: string): string {
  return forbiddenWebhookAddressRange(address) ?? "unicast";
}

function refuseAddress(host: string, address: string): AppError {
  const what = host === address ? address : `${host} (${address})`;
  return refuse(
    `webhook URLs must reach a public address in production, and ${what} is ${rangeOf(address)}: ` +
      "use an https:// URL the internet can reach",
  );
}

/**
 * Checks a webhook endpoint URL (issue #19), for the endpoint routes and again before each delivery. Everywhere: an
 * absolute http(s) URL with no user name or password and no #fragment (even an empty one), at most
 * `WEBHOOK_URL_MAX_LENGTH` characters once normalised. In production (SSRF): https only; a literal IP must be public
 * (`isForbiddenWebhookAddress`); `localhost` and `*.localhost` are refused; any other host name is resolved and
 * refused when ANY of its addresses is forbidden. Outside production http and loopback targets are allowed (local
 * receivers in development and tests) and nothing is resolved.
 *
 * @returns the normalised URL and, in production, the addresses checked.
 * @throws AppError BAD_REQUEST with what to change; also when the host name does not resolve.
 */
export async function checkWebhookEndpointUrl(raw: string, policy: WebhookUrlPolicy): Promise<CheckedWebhookUrl> {
  const parsed = URL.parse(raw);
  if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
    throw refuse(
      "a webhook URL must be an absolute https:// URL (http:// outside production), such as https://example.com/webhooks",
    );
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw refuse(
      "remove the user name and password from the webhook URL: receivers authenticate deliveries by their signature",
    );
  }
  if (parsed.href.includes("#")) {
    throw refuse("remove the #fragment from the webhook URL: it is never sent to the receiver");
  }
  if (parsed.href.length > WEBHOOK_URL_MAX_LENGTH) {
    throw refuse(
      `the webhook URL is ${parsed.href.length} characters once normalised (non-ASCII characters percent-encoded): ` +
        `use one of at most ${WEBHOOK_URL_MAX_LENGTH} characters`,
    );
  }
  if (!policy.production) return { url: parsed.href, addresses: [] };
  if (parsed.protocol !== "https:") {
    throw refuse("webhook URLs must be https in production: use an https:// URL the internet can reach");
  }
  const host = parsed.hostname
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "")
    .toLowerCase();
  if (ipaddr.isValid(host)) {
    if (isForbiddenWebhookAddress(host)) throw refuseAddress(host, host);
    return { url: parsed.href, addresses: [host] };
  }
  if (host === "localhost" || host.endsWith(".localhost")) throw refuseAddress(host, "127.0.0.1");
  const addresses = await (policy.resolve ?? systemHostResolver)(host).catch(() => {
    throw refuse(`the webhook URL's host ${host} does not resolve: check the name, or use a public address`);
  });
  if (addresses.length === 0) {
    throw refuse(`the webhook URL's host ${host} does not resolve: check the name, or use a public address`);
  }
  const forbidden = addresses.find((address) => isForbiddenWebhookAddress(address));
  if (forbidden !== undefined) throw refuseAddress(host, forbidden);
  return { url: parsed.href, addresses };
}
