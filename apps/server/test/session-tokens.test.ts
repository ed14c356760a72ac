import { SignJWT } from "jose";
import { describe, expect, test } from "vitest";
import { createSessionTokens } from "../src/services/session-tokens.ts";

const secret = "session-tokens-test-secret-session-tokens-test-secret";
const customerId = "7b0d6c1e-3f5a-4c2b-9e8d-1a2b3c4d5e6f";
const issuedAt = 1_800_000_000;

/** Session tokens whose clock reads `at` (milliseconds since the epoch) and whose version store says `version`. */
function tokensAt(at: () => number, version = 0) {
  return createSessionTokens({
    secret,
    ttlSeconds: 3_600,
    clock: { now: () => Promise.resolve(new Date(at())) },
    currentVersion: () => Promise.resolve(version),
  });
}

const sign = (payload: Record<string, unknown>, alg = "HS256") =>
  new SignJWT(payload).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));

const claims = { sub: customerId, iss: "paysign", aud: "paysign-customer", iat: issuedAt, ver: 0 };

describe("session token verification on the injected clock", () => {
  test("a token is accepted until the millisecond before its exp and refused at exp (RFC 7519 section 4.1.4)", async () => {
    let now = issuedAt * 1000;
    const tokens = tokensAt(() => now);
    const { token } = await tokens.issue(customerId);
    expect(await tokens.verify(token)).toBe(customerId);
    now = (issuedAt + 3_600) * 1000 - 1;
    expect(await tokens.verify(token)).toBe(customerId);
    now = (issuedAt + 3_600) * 1000;
    expect(await tokens.verify(token)).toBeUndefined();
  });

  test("a token lives ttlSeconds from its iat whatever its exp says", async () => {
    const token = await sign({ ...claims, exp: issuedAt + 86_400 });
    expect(await tokensAt(() => (issuedAt + 3_599) * 1000).verify(token)).toBe(customerId);
    expect(await tokensAt(() => (issuedAt + 3_601) * 1000).verify(token)).toBeUndefined();
  });

  test("a token issued after the clock's now is refused", async () => {
    const token = await sign({ ...claims, iat: issuedAt + 60, exp: issuedAt + 3_600 });
    expect(await tokensAt(() => (issuedAt + 59) * 1000).verify(token)).toBeUndefined();
    expect(await tokensAt(() => (issuedAt + 60) * 1000).verify(token)).toBe(customerId);
  });

  test("HS256 only, every claim required, and the current session version", async () => {
    const at = () => (issuedAt + 1) * 1000;
    expect(await tokensAt(at).verify(await sign({ ...claims, exp: issuedAt + 60 }, "HS512"))).toBeUndefined();
    for (const claim of ["sub", "iat", "ver"] as const) {
      const { [claim]: _left, ...rest } = claims;
      expect(await tokensAt(at).verify(await sign({ ...rest, exp: issuedAt + 60 }))).toBeUndefined();
    }
    expect(await tokensAt(at).verify(await sign(claims))).toBeUndefined();
    const current = await sign({ ...claims, exp: issuedAt + 60 });
    expect(await tokensAt(at).verify(current)).toBe(customerId);
    expect(await tokensAt(at, 1).verify(current)).toBeUndefined();
  });
});
