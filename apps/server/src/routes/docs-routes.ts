import { createRequire } from "node:module";
import path from "node:path";
import { apiRoutes, OPENAPI_SECURITY_SCHEMES, toOpenApiPaths } from "@paysign/contracts";
import { apiReference } from "@scalar/express-api-reference";
import express, { Router } from "express";
import { createDocument } from "zod-openapi";
import { docsPagePolicy, renderStaticPage } from "../http/content-security.ts";

/** The OpenAPI 3.1 document, generated from the route contracts of @paysign/contracts. */
function createOpenApiDocument(): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "paysign API",
      version: "1.0.0",
      description:
        "Alipay periodic deduction (周期扣款) for merchants: sessions, plans, agreements and their signing, " +
        "Alipay notifications, and the admin API. Amounts are yuan strings with two decimals; dates are " +
        "Asia/Shanghai calendar days.",
    },
    paths: toOpenApiPaths(apiRoutes),
    components: { securitySchemes: OPENAPI_SECURITY_SCHEMES },
  });
}

// The API reference page's script is served from the installed package, so /docs works offline too.
const require = createRequire(import.meta.url);
const scalarBrowserDir = path.join(path.dirname(require.resolve("@scalar/api-reference")), "browser");

export function docsRoutes(): Router {
  const router = Router();
  const document = createOpenApiDocument();
  router.get("/openapi.json", (_req, res) => {
    res.json(document);
  });
  router.use("/docs/assets", express.static(scalarBrowserDir, { immutable: true, maxAge: "1d", index: false }));
  const html = renderStaticPage(
    apiReference({
      url: "/openapi.json",
      cdn: "/docs/assets/standalone.js",
      pageTitle: "paysign API reference",
      // Offline and private: no fonts from Scalar's servers, no telemetry, no hosted AI chat or MCP integration.
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      mcp: { disabled: true },
      showDeveloperTools: "never",
    }),
  );
  const policy = docsPagePolicy(html);
  router.get("/docs", (_req, res) => {
    res.setHeader("content-security-policy", policy);
    res.type("text/html").send(html);
  });
  return router;
}
