import path from "node:path";
import type { BuildConfig } from "../src/config.ts";

export type BuildOptions = {
  config: BuildConfig;
  outdir: string;
  minify: boolean;
  watch: boolean;
  /** No size banner on stdout (builds made by tests). */
  quiet?: boolean;
};

const DEFAULT_API_BASE_URL = "http://127.0.0.1:3000";
const DEFAULT_SANDBOX_URL = "http://127.0.0.1:4100";
/** Six polls over about 30 s after an uncertain signing answer; the server's follow-up takes over after that. */
const DEFAULT_POLL_DELAYS_MS = [1000, 2000, 3000, 5000, 8000, 11000];

export class BuildConfigError extends Error {}

function flag(argv: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

function origin(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BuildConfigError(`${what} "${value}" is not a URL: write it like https://api.example.com`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new BuildConfigError(`${what} must be http(s), not ${url.protocol}`);
  }
  return value.replace(/\/+$/, "");
}

/**
 * Flags win over the environment: `--mode=development|real` (PAYSIGN_MINI_MODE), `--api=URL`
 * (PAYSIGN_API_BASE_URL), `--sandbox=URL` (PAYSIGN_SANDBOX_URL), `--dev-sign=webview|sandbox-api`
 * (PAYSIGN_DEV_SIGN, development only), `--outdir=DIR`, `--minify` / `--no-minify`,
 * `--watch`. Without anything: a development build against the local API and sandbox, into dist/.
 */
export function readBuildOptions(options: {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  root: string;
}): BuildOptions {
  const { argv, env, root } = options;
  const mode = flag(argv, "mode") ?? env.PAYSIGN_MINI_MODE ?? "development";
  if (mode !== "development" && mode !== "real") {
    throw new BuildConfigError(`mode must be "development" or "real", not "${mode}"`);
  }
  const apiFlag = flag(argv, "api") ?? env.PAYSIGN_API_BASE_URL;
  if (mode === "real" && !apiFlag) {
    throw new BuildConfigError(
      "a real build needs the API: set PAYSIGN_API_BASE_URL=https://… or pass --api=https://…",
    );
  }
  const apiBaseUrl = origin(apiFlag ?? DEFAULT_API_BASE_URL, "the API base URL");
  if (mode === "real" && !apiBaseUrl.startsWith("https://")) {
    throw new BuildConfigError(
      `a real build needs an https API (my.request reaches only whitelisted HTTPS domains), not ${apiBaseUrl}`,
    );
  }
  const sandboxUrl =
    mode === "development"
      ? origin(flag(argv, "sandbox") ?? env.PAYSIGN_SANDBOX_URL ?? DEFAULT_SANDBOX_URL, "the sandbox URL")
      : null;
  const devSigning = flag(argv, "dev-sign") ?? env.PAYSIGN_DEV_SIGN ?? "webview";
  if (devSigning !== "webview" && devSigning !== "sandbox-api") {
    throw new BuildConfigError(`--dev-sign must be "webview" or "sandbox-api", not "${devSigning}"`);
  }
  const outdir = path.resolve(root, flag(argv, "outdir") ?? "dist");
  const minify = argv.includes("--minify") ? true : argv.includes("--no-minify") ? false : mode === "real";
  return {
    config: {
      mode,
      apiBaseUrl,
      sandboxUrl,
      pollDelaysMs: DEFAULT_POLL_DELAYS_MS,
      ...(mode === "development" ? { devSigning } : {}),
    },
    outdir,
    minify,
    watch: argv.includes("--watch"),
  };
}
