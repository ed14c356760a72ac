import ipaddr from "ipaddr.js";

const globalUnicast = ipaddr.parseCIDR("2000::/3");

/**
 * An IPv6 literal ending in a dotted IPv4 (`::127.0.0.1`, `64:ff9b::10.0.0.1`) with that tail in hex, so ipaddr.js
 * reads the bytes written: it would read `::a.b.c.d` as the IPv4-mapped `::ffff:a.b.c.d`.
 */
function withHexTail(address: string): string {
  const match = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  const head = match?.[1];
  const tail = match?.[2];
  if (head === undefined || tail === undefined || !ipaddr.IPv4.isValidFourPartDecimal(tail)) return address;
  const [a = 0, b = 0, c = 0, d = 0] = ipaddr.IPv4.parse(tail).octets;
  return `${head}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

/**
 * The name of the range that keeps an address from being a webhook target in production, or null when it is a public
 * unicast address. IPv4: ipaddr.js' range ("loopback", "private", "linkLocal", …) unless it is "unicast". IPv6: an
 * IPv4-mapped address (`::ffff:0:0/96`) is judged as its IPv4; otherwise ipaddr.js' range must be "unicast" (so NAT64
 * `64:ff9b::/96`, 6to4 `2002::/16` and Teredo, which embed an IPv4 that could be anything, are refused whole) and the
 * address must lie in the global unicast `2000::/3` (which leaves out the IPv4-compatible `::/96`, the deprecated
 * site-local `fec0::/10` and every unassigned block). Anything that does not parse as an IP address is refused.
 */
export function forbiddenWebhookAddressRange(address: string): string | null {
  const literal = withHexTail(address);
  if (!ipaddr.isValid(literal)) return "not an IP address";
  const parsed = ipaddr.parse(literal);
  if (parsed.kind() === "ipv4") {
    const range = parsed.range();
    return range === "unicast" ? null : range;
  }
  const ipv6 = parsed as ipaddr.IPv6;
  if (ipv6.isIPv4MappedAddress()) return forbiddenWebhookAddressRange(ipv6.toIPv4Address().toString());
  const range = ipv6.range();
  if (range !== "unicast") return range;
  const [first = 0, second = 0] = ipv6.parts;
  if (first === 0 && second === 0) return "ipv4Compatible";
  if ((first & 0xffc0) === 0xfec0) return "siteLocal";
  if (!ipv6.match(globalUnicast)) return "outside the global unicast 2000::/3";
  return null;
}

/**
 * Whether a webhook may be sent to this IP address in production (SSRF): loopback, link-local (cloud metadata at
 * 169.254.169.254), private, unique-local, site-local, carrier-grade NAT, multicast, broadcast, unspecified and
 * reserved ranges are refused, IPv4 also when written as an IPv4-mapped or embedded in an IPv6 address (see
 * forbiddenWebhookAddressRange). `address` is a literal IPv4 or IPv6 address; anything that does not parse as one is
 * refused.
 */
export function isForbiddenWebhookAddress(address: string): boolean {
  return forbiddenWebhookAddressRange(address) !== null;
}
