import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { consoleEnv } from "./env.ts";

// The console is served by the API at /console in production (apps/server/src/http/console-static.ts); in
// development Vite serves it on its own port and forwards /admin/v1 to the API, so the session cookie stays
// same-origin. Workspace packages resolve to their TypeScript source.
const env = consoleEnv();

export default defineConfig({
  base: "/console/",
  plugins: [react()],
  resolve: { conditions: ["@paysign/source", "module", "browser", "development|production"] },
  server: {
    host: "127.0.0.1",
    port: env.port,
    strictPort: true,
    proxy: { "/admin/v1": { target: env.apiUrl, changeOrigin: false } },
  },
  build: {
    outDir: env.outDir ?? "dist",
    emptyOutDir: true,
    // No inline polyfill: the page's policy allows the console's own scripts only.
    modulePreload: { polyfill: false },
    // The chunk graph, for the initial-JavaScript measurement of `pnpm bench` (bench/console.ts).
    manifest: true,
    chunkSizeWarningLimit: 1500,
  },
});
