import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { ratiosOf, unavailable, type ScenarioResult } from "../results.ts";
import type { ScenarioOptions } from "../scenario.ts";
import { repoRoot } from "../stack.ts";

const MINIPROGRAM_TARGET_BYTES = 200 * 1024;
const miniprogramRoot = path.join(repoRoot, "apps", "miniprogram");

/** The package's build script (`tsx scripts/build.ts`), as `pnpm --filter @paysign/miniprogram build` runs it. */
async function build(args: string[]): Promise<string | undefined> {
  try {
    await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/build.ts", ...args], {
      cwd: miniprogramRoot,
      encoding: "utf8",
    });
    return undefined;
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    return (failure.stderr || failure.message).trim().split("\n").slice(-3).join(" ");
  }
}

async function filesOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

async function sizeOf(dir: string): Promise<number> {
  let bytes = 0;
  for (const file of await filesOf(dir)) bytes += (await stat(file)).size;
  return bytes;
}

/** What the Alipay mini program engines refuse (docs/toolchain-facts.md): eval, new Function, globalThis, modules. */
async function forbiddenConstructs(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const file of (await filesOf(dir)).filter((name) => name.endsWith(".js"))) {
    const text = await readFile(file, "utf8");
    const patterns = { eval: /\beval\s*\(/, "new Function": /new\s+Function\b/, globalThis: /\bglobalThis\b/ };
    for (const [name, pattern] of Object.entries(patterns)) {
      if (pattern.test(text)) found.push(`${name} in ${path.relative(dir, file)}`);
    }
    if (/\brequire\s*\(|^\s*import\s|\bexport\s/m.test(text))
      found.push(`a module statement in ${path.relative(dir, file)}`);
  }
  return found;
}

/** `miniprogram`: the size of apps/miniprogram/dist/ after its build, against the 200 KB target and a release build. */
export async function runMiniprogram(_options: ScenarioOptions): Promise<ScenarioResult> {
  const unit = "bytes";
  const failed = await build([]);
  if (failed) return unavailable(`the mini program build failed: ${failed}`, unit);
  const dist = path.join(miniprogramRoot, "dist");
  const releaseDir = await mkdtemp(path.join(tmpdir(), "paysign-bench-mini-"));
  try {
    const releaseFailed = await build(["--mode=real", "--api=https://api.example.com", `--outdir=${releaseDir}`]);
    const value = await sizeOf(dist);
    const release = releaseFailed ? undefined : await sizeOf(releaseDir);
    const peers = { target: MINIPROGRAM_TARGET_BYTES, ...(release === undefined ? {} : { release_build: release }) };
    const forbidden = [
      ...(await forbiddenConstructs(dist)),
      ...(release === undefined ? [] : await forbiddenConstructs(releaseDir)),
    ];
    return {
      status: "ok",
      value,
      unit,
      peers,
      ratios: ratiosOf("miniprogram", value, peers),
      checks: {
        under_200_kb: value < MINIPROGRAM_TARGET_BYTES,
        release_under_200_kb: release !== undefined && release < MINIPROGRAM_TARGET_BYTES,
        no_forbidden_constructs: forbidden.length === 0,
      },
      details: {
        files: (await filesOf(dist)).length,
        ...(releaseFailed ? { release_build: `failed: ${releaseFailed}` } : {}),
        ...(forbidden.length ? { forbidden: forbidden.join("; ") } : {}),
      },
    };
  } finally {
    await rm(releaseDir, { recursive: true, force: true });
  }
}
