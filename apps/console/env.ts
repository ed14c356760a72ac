/**
 * The console's build and dev-server settings: CONSOLE_PORT (dev server, default 5173), CONSOLE_API_URL (where
 * /admin/v1 is forwarded in development, default http://127.0.0.1:3000) and CONSOLE_OUT_DIR (build output, default
 * dist; tests and the benchmark build elsewhere).
 */
export function consoleEnv(): { port: number; apiUrl: string; outDir: string | undefined } {
  return {
    port: Number(process.env.CONSOLE_PORT ?? "5173"),
    apiUrl: process.env.CONSOLE_API_URL ?? "http://127.0.0.1:3000",
    outDir: process.env.CONSOLE_OUT_DIR,
  };
}
