import { cpSync, existsSync, rmSync } from "node:fs";
import path from "node:path";

// Part of `build`: the merchant console's built files travel with the compiled server (dist/console, served at
// /console by src/http/console-static.ts), so the production install is one deployable. Build the console first
// (turbo orders it; the Dockerfile builds it before the server).
const serverDir = path.resolve(import.meta.dirname, "..");
const source = path.resolve(serverDir, "../console/dist");
const target = path.join(serverDir, "dist", "console");
rmSync(target, { recursive: true, force: true });
if (existsSync(path.join(source, "index.html"))) {
  cpSync(source, target, { recursive: true, filter: (file) => !file.includes(`${path.sep}.vite`) });
} else {
  console.warn("apps/console/dist is not built: the server's build has no console (/console answers 404)");
}
