import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { defined } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BenchResults } from "../results.ts";
import { runBench, writeResults } from "../run.ts";
import { smallSizes } from "../scenario.ts";

// The miniprogram row of results.json through the same code as `pnpm bench --only miniprogram` (two builds, no
// server): its shape and checks. Apart from results-shape.test.ts, whose setup runs the server scenarios.

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "paysign-bench-mini-test-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("pnpm bench miniprogram row", () => {
  test("the release build's size against its 100 KB target, the development build as its peer, no sandbox code", async () => {
    const results = await runBench({ only: ["miniprogram"], scenario: { sizes: smallSizes } });
    const file = path.join(dir, "miniprogram-results.json");
    await writeResults(results, file);
    const row = defined(
      (JSON.parse(await readFile(file, "utf8")) as BenchResults).scenarios.miniprogram,
      "scenarios.miniprogram",
    );
    expect(row.status).toBe("ok");
    expect(row.unit).toBe("bytes");
    expect(row.value).toBeGreaterThan(0);
    expect(Object.keys(row.peers)).toEqual(["target", "development_build"]);
    expect(row.peers.target).toBe(100 * 1024);
    expect(row.ratios["miniprogram/target"]).toBeGreaterThan(0);
    expect(row.checks).toEqual({
      release_under_100_kb: true,
      development_under_200_kb: true,
      no_forbidden_constructs: true,
      release_without_sandbox_code: true,
    });
  }, 120_000);
});
