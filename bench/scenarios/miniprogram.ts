import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { ratiosOf, unavailable, type ScenarioResult } from "../results.ts";
import type { ScenarioOptions } from "../scenario.ts";
import { repoRoot } from "../stack.ts";

/** The release build (what ships) against 100 KB; the development build, unminified with its sandbox bridge, 200 KB. */
const RELEASE_TARGET_BYTES = 100 * 1024;
const DEVELOPMENT_LIMIT_BYTES = 200 * 1024;
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

/** Text only a development build may hold: the sandbox's routes, the web-view page and its relay. */
async function developmentBridge(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const file of await filesOf(dir)) {
    const where = path.relative(dir, file);
    if (where.includes("sign-webview")) found.push(where);
    else if (/\/sandbox\/|web-view|signRelay/.test(await readFile(file, "utf8")))
      found.push(`sandbox code in ${where}`);
  }
  return found;
}

/**
 * `miniprogram`: the size of a release build (`--mode=real`, what ships) against the 100 KB target, with the
 * development build (`pnpm build`, the dist/ the IDE opens) as its peer.
 */
export async function runMiniprogram(_options: ScenarioOptions): Promise<ScenarioResult> {
  const unit = "bytes";
  // Both into folders of their own: the package's dist/ may be in use (the IDE, the dist test).
  const buildsDir = await mkdtemp(path.join(tmpdir(), "paysign-bench-mini-"));
  const dist = path.join(buildsDir, "development");
  const releaseDir = path.join(buildsDir, "release");
  try {
    const failed = await build([`--outdir=${dist}`]);
    if (failed) return unavailable(`the mini program build failed: ${failed}`, unit);
    const releaseFailed = await build(["--mode=real", "--api=https://api.example.com", `--outdir=${releaseDir}`]);
    if (releaseFailed) return unavailable(`the mini program release build failed: ${releaseFailed}`, unit);
    const value = await sizeOf(releaseDir);
    const development = await sizeOf(dist);
    const peers = { target: RELEASE_TARGET_BYTES, development_build: development };
    const forbidden = [...(await forbiddenConstructs(releaseDir)), ...(await forbiddenConstructs(dist))];
    const bridge = await developmentBridge(releaseDir);
    return {
      status: "ok",
      value,
      unit,
      peers,
      ratios: ratiosOf("miniprogram", value, peers),
      checks: {
        release_under_100_kb: value < RELEASE_TARGET_BYTES,
        development_under_200_kb: development < DEVELOPMENT_LIMIT_BYTES,
        no_forbidden_constructs: forbidden.length === 0,
        release_without_sandbox_code: bridge.length === 0,
      },
      details: {
        files: (await filesOf(releaseDir)).length,
        development_files: (await filesOf(dist)).length,
        ...(forbidden.length ? { forbidden: forbidden.join("; ") } : {}),
        ...(bridge.length ? { sandbox_code: bridge.join("; ") } : {}),
      },
    };
  } finally {
    await rm(buildsDir, { recursive: true, force: true });
  }
}
