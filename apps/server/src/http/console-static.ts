import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import express, { Router } from "express";

/**
 * Where the merchant console's built files are: CONSOLE_DIR when set, else `dist/console` beside the compiled server (the production build
 * copies them there), else the workspace's `apps/console/dist` (`pnpm --filter @paysign/console build`).
 */
export function findConsoleDir(configured: string | undefined): string | undefined {
  if (configured) return configured;
  const candidates = [
    path.resolve(import.meta.dirname, "../console"),
    path.resolve(import.meta.dirname, "../../../console/dist"),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, "index.html")));
}

/** The console's policy: its own scripts only; styles also inline (antd and ECharts inject them at run time). */
const consolePagePolicy = [
  "default-src 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
].join("; ");

/**
 * Serves the console at /console: hashed assets cached for a year, every other path the single page (its router
 * decides). Without a build, /console says how to make one.
 */
export function consoleRoutes(dir: string | undefined): Router {
  const router = Router();
  if (!dir) {
    router.get(["/console", "/console/*rest"], (_req, res) => {
      res
        .status(404)
        .type("text/plain")
        .send("The console is not built: run pnpm --filter @paysign/console build (pnpm dev serves it on its own).");
    });
    return router;
  }
  const html = readFileSync(path.join(dir, "index.html"), "utf8");
  router.use("/console/assets", express.static(path.join(dir, "assets"), { immutable: true, maxAge: "365d" }));
  router.get(["/console", "/console/*rest"], (req, res, next) => {
    if (path.extname(req.path) !== "") {
      next();
      return;
    }
    res.setHeader("content-security-policy", consolePagePolicy);
    res.setHeader("cache-control", "no-cache");
    res.type("text/html").send(html);
  });
  router.use("/console", express.static(dir, { index: false, maxAge: "1h" }));
  return router;
}
