import { BuildConfigError, readBuildOptions } from "./build-config.ts";
import { buildMiniProgram, root } from "./build-mini-program.ts";

// `pnpm build` / `pnpm dev` (= --watch). See README.md for the flags and environment variables.
try {
  const options = readBuildOptions({ argv: process.argv.slice(2), env: process.env, root });
  const build = await buildMiniProgram(options);
  if (options.watch) {
    process.stdout.write("watching src/ (Ctrl-C stops)\n");
    const stop = () => void build.stop().then(() => process.exit(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  }
} catch (error) {
  if (!(error instanceof BuildConfigError)) throw error;
  process.stderr.write(`mini program build: ${error.message}\n`);
  process.exit(1);
}
