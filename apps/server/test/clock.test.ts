import { createSandbox } from "@paysign/alipay-sandbox";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { inProcessSandboxClock, sandboxClock } from "../src/clock.ts";

const sandbox = createSandbox();
beforeAll(async () => {
  await sandbox.listen(0);
});
afterAll(async () => {
  await sandbox.close();
});

describe("the server clock with a sandbox", () => {
  test("follows a clock move at once, over HTTP and in process", async () => {
    const target = "2027-02-28T15:59:30.000Z";
    await fetch(`${sandbox.url}/sandbox/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ now: target }),
    });
    for (const clock of [sandboxClock(sandbox.url), inProcessSandboxClock(sandbox)]) {
      const drift = (await clock.now()).getTime() - Date.parse(target);
      expect(drift).toBeGreaterThanOrEqual(0);
      expect(drift).toBeLessThan(5_000);
    }
  });
});
