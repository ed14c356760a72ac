import { describe, expect, test } from "vitest";
import { isForbiddenWebhookAddress } from "../src/webhooks/address-policy.ts";
import { checkWebhookEndpointUrl } from "../src/webhooks/endpoint-url.ts";

// The production SSRF rule for webhook targets (issue #19), address by address.
describe("isForbiddenWebhookAddress", () => {
  test.each([
    "127.0.0.1",
    "10.0.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "255.255.255.255",
    "224.0.0.1",
    "::1",
    "::",
    "fe80::1",
    "fd00::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    // IPv4-compatible (::/96, deprecated): the embedded IPv4 is what some stacks connect to.
    "::127.0.0.1",
    "::10.0.0.1",
    "::8.8.8.8",
    "::7f00:1",
    "::808:808",
    // Deprecated site-local fec0::/10.
    "fec0::1",
    "feff::1",
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embedding a private or loopback IPv4.
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::1",
    "2002:a00:1::1",
    // Outside the global unicast 2000::/3.
    "4000::1",
    "not an address",
    "",
  ])("%s is refused", (address) => {
    expect(isForbiddenWebhookAddress(address)).toBe(true);
  });

  test.each(["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "2606:4700:4700::1111", "::ffff:8.8.8.8"])(
    "%s is allowed",
    (address) => {
      expect(isForbiddenWebhookAddress(address)).toBe(false);
    },
  );
});

describe("the endpoint URL check in production uses the same rule", () => {
  test.each([
    ["https://[::127.0.0.1]/hooks", /ipv4Compatible/],
    ["https://[fec0::1]/hooks", /siteLocal/],
    ["https://[64:ff9b::7f00:1]/hooks", /rfc6052/],
  ])("%s is refused", async (url, message) => {
    const refused = checkWebhookEndpointUrl(url, { production: true, resolve: () => Promise.resolve([]) });
    await expect(refused).rejects.toThrow(message);
  });

  test("a name resolving to an IPv4-compatible or site-local address is refused", async () => {
    const resolve = (host: string) => Promise.resolve(host === "compat.example" ? ["::a00:1"] : ["fec0::5"]);
    await expect(checkWebhookEndpointUrl("https://compat.example/in", { production: true, resolve })).rejects.toThrow(
      /ipv4Compatible/,
    );
    await expect(checkWebhookEndpointUrl("https://site.example/in", { production: true, resolve })).rejects.toThrow(
      /siteLocal/,
    );
  });
});
