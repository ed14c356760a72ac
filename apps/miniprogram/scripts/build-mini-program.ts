import { watch as watchFiles } from "node:fs";
import { copyFile, mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import * as esbuild from "esbuild";
import { pagesFor } from "../src/app-pages.ts";
import type { BuildOptions } from "./build-config.ts";

export const root = path.resolve(import.meta.dirname, "..");
const srcDir = path.join(root, "src");

/** Files the mini program reads as they are, next to the built .js of the same base name. */
const ASSET_EXTENSIONS = [".axml", ".acss", ".json"];

function appJson(pages: readonly string[]) {
  return {
    pages,
    window: {
      defaultTitle: "订阅服务",
      titleBarColor: "#f5f6f8",
      backgroundColor: "#f5f6f8",
    },
  };
}

function esbuildOptions(options: BuildOptions): esbuild.BuildOptions {
  const pages = pagesFor(options.config.mode);
  return {
    entryPoints: [
      { in: path.join(srcDir, "app.ts"), out: "app" },
      ...pages.map((page) => ({ in: path.join(srcDir, `${page}.ts`), out: page })),
    ],
    outdir: options.outdir,
    bundle: true,
    // One self-contained script per page: no require() between files, no node_modules left for the IDE to resolve.
    format: "iife",
    platform: "neutral",
    target: "es2017",
    mainFields: ["module", "main"],
    conditions: ["@paysign/source"],
    define: {
      __PAYSIGN_CONFIG__: JSON.stringify(options.config),
      __PAYSIGN_MODE__: JSON.stringify(options.config.mode),
    },
    minify: options.minify,
    charset: "utf8",
    legalComments: "none",
    logLevel: "warning",
  };
}

async function copyAssets(options: BuildOptions): Promise<void> {
  const pages = pagesFor(options.config.mode);
  await copyFile(path.join(srcDir, "app.acss"), path.join(options.outdir, "app.acss"));
  for (const page of pages) {
    const dir = path.dirname(page);
    await mkdir(path.join(options.outdir, dir), { recursive: true });
    for (const file of await readdir(path.join(srcDir, dir))) {
      if (!ASSET_EXTENSIONS.includes(path.extname(file))) continue;
      await copyFile(path.join(srcDir, dir, file), path.join(options.outdir, dir, file));
    }
  }
  await writeFile(path.join(options.outdir, "app.json"), JSON.stringify(appJson(pages), null, 2) + "\n");
}

export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

function banner(options: BuildOptions, bytes: number): string {
  const { config } = options;
  return [
    `mini program (${config.mode}) → ${path.relative(process.cwd(), options.outdir) || "."}  ${(bytes / 1024).toFixed(1)} KB`,
    `  API      ${config.apiBaseUrl}`,
    ...(config.sandboxUrl ? [`  sandbox  ${config.sandboxUrl} (signing: ${config.devSigning ?? "webview"})`] : []),
  ].join("\n");
}

/** Builds dist/: app.js, app.json, app.acss and every page's .js/.axml/.acss/.json. */
export async function buildMiniProgram(options: BuildOptions): Promise<{ bytes: number; stop(): Promise<void> }> {
  await rm(options.outdir, { recursive: true, force: true });
  await mkdir(options.outdir, { recursive: true });
  if (!options.watch) {
    await esbuild.build(esbuildOptions(options));
    await copyAssets(options);
    const bytes = await directorySize(options.outdir);
    if (!options.quiet) process.stdout.write(banner(options, bytes) + "\n");
    return { bytes, stop: async () => {} };
  }
  const context = await esbuild.context({
    ...esbuildOptions(options),
    plugins: [
      {
        name: "report",
        setup(build) {
          build.onEnd(async (result) => {
            if (result.errors.length > 0) return;
            await copyAssets(options);
            process.stdout.write(banner(options, await directorySize(options.outdir)) + "\n");
          });
        },
      },
    ],
  });
  await context.watch();
  // esbuild watches the scripts; page templates, styles and page configs are copied again when they change.
  const assets = watchFiles(srcDir, { recursive: true }, (_event, file) => {
    if (file && ASSET_EXTENSIONS.includes(path.extname(file))) void copyAssets(options).catch(() => {});
  });
  return {
    bytes: 0,
    stop: async () => {
      assets.close();
      await context.dispose();
    },
  };
}
