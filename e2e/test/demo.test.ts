import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { defined } from "@paysign/test-kit";
import { expect, test } from "vitest";

const repoRoot = path.resolve(import.meta.dirname, "../..");

// `pnpm demo` as a newcomer runs it: a fresh stack of its own, the story narrated, exit 0, nothing left behind.
test("pnpm demo tells the whole story and exits 0, leaving no folder behind", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@paysign/source", "scripts/demo.ts"], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));

  expect(code, output).toBe(0);
  for (const shown of [
    "A customer signs in from the mini program",
    "signStr      method%3Dalipay.user.agreement.page.sign",
    "resultStatus 7000",
    "(dut_user_sign)",
    '"success": RSA2 signature verified',
    "The clock moves one period",
    "2 payment(s), ¥39.80 in all",
    "UNSIGNED (alipay.user.agreement.unsign",
    "¥1.00 SUCCEEDED, out_request_no RF",
    "TRADE_SUCCESS, refund_fee ¥1.00 (partial)",
    "charged ¥39.80, refunded ¥1.00, net ¥38.80",
    "Summary",
  ]) {
    expect(output).toContain(shown);
  }
  expect(output.match(/SUCCEEDED, Alipay trade no\. \d{28}/g)).toHaveLength(2);
  expect(output).not.toMatch(/"level":/);
  const folder = /Done in [\d.]+ s; the stack is stopped and (\S+) removed/.exec(output)?.[1];
  expect(folder).toBeDefined();
  expect(existsSync(defined(folder, "folder"))).toBe(false);
  console.log(
    output
      .split("\n")
      .find((line) => line.includes("Done in"))
      ?.trim(),
  );
});
