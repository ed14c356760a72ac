import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { transformAsync, types, type PluginObj } from "@babel/core";
import { inject } from "vitest";
import { buildMiniProgram } from "../../scripts/build-mini-program.ts";
import type { BuildConfig } from "../../src/config.ts";

/**
 * The closest thing to the Alipay IDE's ES5 compile we can run: `dist/` as `pnpm build` makes it (for the given
 * configuration), then every script transpiled to ES5 by Babel's preset-env with loose transforms. One build per
 * configuration and test file.
 */
const builds = new Map<string, Promise<string>>();

/**
 * Babel wraps a native superclass (`_wrapNativeSuper`, Reflect.construct) so that `instanceof` keeps working; the
 * IDE's ES5 compile, like TypeScript's ES5 output, does not: `class A extends Error` becomes
 * `_this = Error.call(this, message) || this`, a plain Error that is no `A`. Hiding the name `Error` from Babel's
 * builtin check (`(0, Error)`) gives that unwrapped output.
 */
const unwrappedErrorSubclasses: PluginObj = {
  name: "paysign-unwrapped-error-subclasses",
  visitor: {
    Class(classPath) {
      const superClass = classPath.node.superClass;
      if (superClass?.type !== "Identifier" || superClass.name !== "Error" || classPath.scope.getBinding("Error"))
        return;
      classPath.node.superClass = types.sequenceExpression([types.numericLiteral(0), types.identifier("Error")]);
    },
  },
};

async function transpileDir(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  for (const entry of entries.filter((candidate) => candidate.isFile() && candidate.name.endsWith(".js"))) {
    const file = path.join(entry.parentPath, entry.name);
    const result = await transformAsync(await readFile(file, "utf8"), {
      filename: file,
      babelrc: false,
      configFile: false,
      sourceType: "script",
      plugins: [unwrappedErrorSubclasses],
      presets: [["@babel/preset-env", { targets: { ie: "11" }, loose: true, modules: false }]],
    });
    if (!result?.code) throw new Error(`Babel gave no output for ${file}`);
    await writeFile(file, result.code);
  }
}

async function build(config: BuildConfig): Promise<string> {
  const outdir = await mkdtemp(path.join(inject("es5DistRoot"), "dist-"));
  await buildMiniProgram({ config, outdir, minify: false, watch: false, quiet: true });
  await transpileDir(outdir);
  return outdir;
}

/** The folder of an ES5 `dist/` built with `config`. */
export function es5Dist(config: BuildConfig): Promise<string> {
  const key = JSON.stringify(config);
  let dir = builds.get(key);
  if (!dir) {
    dir = build(config);
    builds.set(key, dir);
  }
  return dir;
}

/** Whether the page tests of this run load the ES5 `dist/` (the `miniprogram-es5` project) instead of `src/`. */
export const runsOnEs5Dist = process.env.PAYSIGN_MINI_RUNTIME === "es5-dist";
