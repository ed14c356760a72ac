import ipaddr from "ipaddr.js";

/**
 * Whether a webhook may be sent to this IP address in production (SSRF): loopback, link-local (cloud metadata at
 * 169.254.169.254), private, unique-local, carrier-grade NAT, multicast, broadcast, unspecified and reserved ranges are
 * refused, IPv4 also when written as an IPv4-mapped IPv6 address. `address` is a literal IPv4 or IPv6 address; anything
 * that does not parse as one is refused.
 */
export function isForbiddenWebhookAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() !== "unicast";
}
