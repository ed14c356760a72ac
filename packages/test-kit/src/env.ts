/** The one variable the test kit reads: where the system Chromium is, when not at /usr/bin/chromium. */
export function chromiumPathFromEnv(): string | undefined {
  return process.env.CHROMIUM_PATH;
}
