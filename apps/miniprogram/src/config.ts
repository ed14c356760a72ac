/**
 * Build-time configuration. scripts/build.ts replaces `__PAYSIGN_CONFIG__` with a JSON literal (esbuild `define`);
 * the test harness provides it as a global. Nothing here reads an environment at run time: a mini program has none.
 */
export type AppMode = "development" | "real";

/**
 * How a development build signs. `webview`: the sandbox's H5 signing page in a web-view page (needs the IDE's
 * web-view domain check off, and web-view works only in an enterprise mini program). `sandbox-api`: a dialog in the
 * app, then the sandbox's signing center over HTTP (`POST /sandbox/sign-center`) — no web-view, runs in any
 * simulator.
 */
type DevSigning = "webview" | "sandbox-api";

export type BuildConfig = {
  /** `real`: my.paySignCenter and my.getAuthCode. `development`: the sandbox's H5 signing page and auth codes. */
  mode: AppMode;
  /** The API origin, without a trailing slash (`https://api.example.com`). */
  apiBaseUrl: string;
  /** The Alipay sandbox origin; development mode only. */
  sandboxUrl: string | null;
  /** Development mode only; `webview` when absent. */
  devSigning?: DevSigning;
  /** Waits between the polls of a PENDING agreement after signing; their count bounds the polling. */
  pollDelaysMs: readonly number[];
};

declare const __PAYSIGN_CONFIG__: BuildConfig;

export function readBuildConfig(): BuildConfig {
  return __PAYSIGN_CONFIG__;
}
