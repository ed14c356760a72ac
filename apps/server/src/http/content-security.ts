import { createHash } from "node:crypto";
import type { RequestHandler, Response } from "express";

/** The policy of every answer but the docs page: JSON and (later) the console's same-origin scripts and styles. */
export const contentSecurityDirectives = {
  defaultSrc: ["'self'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  upgradeInsecureRequests: null,
};

/**
 * The API reference page: its script from /docs/assets, its one inline start-up script by hash (never
 * 'unsafe-inline' for scripts), the styles Scalar injects at run time, and nothing from another origin.
 */
export function docsPagePolicy(html: string): string {
  const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (match) =>
      `'sha256-${createHash("sha256")
        .update(match[1] ?? "")
        .digest("base64")}'`,
  );
  return [
    "default-src 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    `script-src 'self' ${hashes.join(" ")}`,
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
  ].join("; ");
}

/** Answers with tokens, agreements and admin data are never stored by browsers or shared caches. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader("cache-control", "no-store");
  next();
};

/** What an Express handler that always answers the same HTML sends, read once at start-up. */
export function renderStaticPage(handler: (req: never, res: Response, next: () => void) => unknown): string {
  let html = "";
  const res = {
    type: () => res,
    send: (body: string) => {
      html = body;
      return res;
    },
  };
  void handler({} as never, res as unknown as Response, () => undefined);
  return html;
}
