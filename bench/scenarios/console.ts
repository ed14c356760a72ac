import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { childEnvironment } from "../env.ts";
import { ratiosOf, unavailable, type ScenarioResult } from "../results.ts";
import type { ScenarioOptions } from "../scenario.ts";
import { repoRoot } from "../stack.ts";

const CONSOLE_TARGET_GZIP_BYTES = 300 * 1024;
const consoleRoot = path.join(repoRoot, "apps", "console");

/** One entry of Vite's `.vite/manifest.json`. */
type ManifestChunk = { file: string; isEntry?: boolean; imports?: string[]; dynamicImports?: string[] };

/** `vite build` of apps/console into `outDir`, as `pnpm --filter @paysign/console build` runs it. */
async function build(outDir: string): Promise<string | undefined> {
  try {
    const vite = path.join(consoleRoot, "node_modules", "vite", "bin", "vite.js");
    await promisify(execFile)(process.execPath, [vite, "build", "--logLevel", "warn"], {
      cwd: consoleRoot,
      env: childEnvironment({ NODE_ENV: "production", CONSOLE_OUT_DIR: outDir }),
      encoding: "utf8",
    });
    return undefined;
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    return (failure.stderr || failure.message).trim().split("\n").slice(-3).join(" ");
  }
}

/** The chunks a first visit loads: the entry and everything it imports statically, transitively. */
function initialChunks(manifest: Record<string, ManifestChunk>): string[] {
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const imported of manifest[key]?.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  return [...seen];
}

/**
 * `console`: gzipped bytes of the JavaScript the console's first page load needs (entry chunk and its static
 * imports, per Vite's manifest), against the 300 KB target; every JavaScript chunk for comparison.
 */
export async function runConsole(_options: ScenarioOptions): Promise<ScenarioResult> {
  const unit = "bytes gzip";
  const outDir = await mkdtemp(path.join(tmpdir(), "paysign-bench-console-"));
  try {
    const failed = await build(outDir);
    if (failed) return unavailable(`the console build failed: ${failed}`, unit);
    const manifest = JSON.parse(await readFile(path.join(outDir, ".vite", "manifest.json"), "utf8")) as Record<
      string,
      ManifestChunk
    >;
    const gzipOf = async (file: string) => gzipSync(await readFile(path.join(outDir, file))).length;
    const initial = initialChunks(manifest);
    let value = 0;
    for (const key of initial) value += await gzipOf(defined(manifest[key]).file);
    const allFiles = [...new Set(Object.values(manifest).map((chunk) => chunk.file))].filter((file) =>
      file.endsWith(".js"),
    );
    let total = 0;
    for (const file of allFiles) total += await gzipOf(file);
    const chartsInitial = initial.some((key) => /echarts|DailyChart/.test(key));
    const peers = { target: CONSOLE_TARGET_GZIP_BYTES, all_javascript: total };
    return {
      status: "ok",
      value,
      unit,
      peers,
      ratios: ratiosOf("console", value, peers),
      checks: { under_300_kb: value < CONSOLE_TARGET_GZIP_BYTES, charts_load_on_demand: !chartsInitial },
      details: { initial_chunks: initial.length, javascript_chunks: allFiles.length },
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("the manifest names a chunk it does not list");
  return value;
}
