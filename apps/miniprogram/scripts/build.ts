import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as esbuild from "esbuild";

// Builds the mini program into a self-contained dist/ that the Alipay IDE opens (pages land with issue #6).
const root = path.resolve(import.meta.dirname, "..");
const outdir = path.join(root, "dist");
const watch = process.argv.includes("--watch");

mkdirSync(outdir, { recursive: true });
writeFileSync(path.join(outdir, "app.json"), JSON.stringify({ pages: [] }, null, 2) + "\n");
const options: esbuild.BuildOptions = {
  entryPoints: [path.join(root, "src", "app.ts")],
  outdir,
  bundle: true,
  format: "cjs",
  target: "es2017",
  conditions: ["@paysign/source"],
  logLevel: "info",
};
if (watch) await (await esbuild.context(options)).watch();
else await esbuild.build(options);
