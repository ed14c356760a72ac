import { readFile } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";
import { describe, expect, test } from "vitest";
import * as mini from "../src/mini/index.ts";

const packageRoot = path.join(import.meta.dirname, "..");
const entry = path.join(packageRoot, "src/mini/index.ts");

async function bundle(minify: boolean) {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: packageRoot,
    bundle: true,
    format: "esm",
    platform: "neutral",
    minify,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error("esbuild produced no output");
  return { text: output.text, inputs: Object.keys(result.metafile.inputs) };
}

describe("the mini program entry", () => {
  test.each([false, true])("bundles without eval, new Function, globalThis or zod (minify: %s)", async (minify) => {
    const { text, inputs } = await bundle(minify);
    expect(text.length).toBeGreaterThan(1000);
    expect(text).not.toMatch(/\beval\s*\(/);
    expect(text).not.toMatch(/new\s+Function\b/);
    expect(text).not.toContain("globalThis");
    for (const zodMark of ["__zod_globalRegistry", "ZodError", "$ZodType", "_zod", "zod"]) {
      expect(text).not.toContain(zodMark);
    }
    expect(inputs.filter((input) => input.includes("node_modules"))).toEqual([]);
    expect(inputs.some((input) => input.endsWith("src/money.ts"))).toBe(true);
  });

  test("no source file in its import graph names a forbidden construct, even in comments (dist keeps them)", async () => {
    const { inputs } = await bundle(false);
    for (const input of inputs) {
      const source = await readFile(path.resolve(packageRoot, input), "utf8");
      expect(source, input).not.toMatch(/globalThis|\beval\b|new Function|zod/);
    }
  });

  test("the same check catches zod when it sneaks in", async () => {
    const result = await build({
      stdin: { contents: 'import { z } from "zod"; export const s = z.string();', resolveDir: import.meta.dirname },
      bundle: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      write: false,
      logLevel: "silent",
    });
    expect(result.outputFiles[0]?.text).toContain("globalThis");
  });

  test("offers the result table, labels, money and Alipay time helpers", () => {
    expect(mini.PAY_SIGN_RESULTS["7001"].nextStep).toBe("SERVER_CHECKS");
    expect(mini.AGREEMENT_STATUS_LABELS.ACTIVE.zh).toBe("生效中");
    expect(mini.formatYuan("19.90")).toBe("¥19.90");
    expect(mini.parseAlipayDateTime("2017-06-27 11:40:14").toISOString()).toBe("2017-06-27T03:40:14.000Z");
    expect(mini.buildPath(mini.CUSTOMER_API_PATHS.signResult, { id: "a b" })).toBe(
      "/api/v1/agreements/a%20b/sign-result",
    );
    expect(() => mini.buildPath(mini.CUSTOMER_API_PATHS.agreement)).toThrow(RangeError);
  });
});
