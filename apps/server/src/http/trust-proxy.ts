import { isIP } from "node:net";
import { z } from "zod";

/** Express's `trust proxy`: false (no proxy), a hop count, or the proxies' addresses / subnets / named ranges. */
export type TrustProxy = false | number | string;

const namedRanges = new Set(["loopback", "linklocal", "uniquelocal"]);

function isProxyAddress(entry: string): boolean {
  if (namedRanges.has(entry)) return true;
  const [address = "", bits, ...rest] = entry.split("/");
  if (rest.length > 0 || isIP(address) === 0) return false;
  if (bits === undefined) return true;
  const max = isIP(address) === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

/**
 * TRUST_PROXY (SECURITY.md): `false` (default) when clients connect directly, so X-Forwarded-For is ignored; `1`
 * behind one proxy that appends the client address, `2` behind two (a CDN then a load balancer); or a comma list of
 * the proxies' addresses, subnets or `loopback` / `linklocal` / `uniquelocal`. `true` (believe any header) is refused:
 * it lets every client pick its own address and escape the per-address limits.
 */
export function parseTrustProxy(value: string, ctx: z.RefinementCtx): TrustProxy {
  const text = value.trim();
  if (text === "false" || text === "0") return false;
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const entries = text.split(",").map((entry) => entry.trim());
  if (text !== "true" && entries.every(isProxyAddress)) return entries.join(",");
  ctx.addIssue({
    code: "custom",
    message:
      'must be "false", a hop count (1 behind one proxy, 2 behind two) or a comma list of proxy addresses, ' +
      "subnets or loopback / linklocal / uniquelocal; never true",
  });
  return z.NEVER;
}
