import express, { type Router } from "express";
import type { SandboxDeps } from "../sandbox-deps.ts";

/** Serves the zips of bill.downloadurl.query until their address expires (docs/alipay-protocol.md §21). */
export function createBillRoute(deps: SandboxDeps): Router {
  const router = express.Router();
  router.get("/downloadBillFile.resource", (request, response) => {
    const token = typeof request.query.token === "string" ? request.query.token : "";
    const file = deps.bills.take(token, deps.clock.now());
    if (!file) {
      response.status(404).type("text/plain").send("the bill address is unknown or expired: ask for a new one");
      return;
    }
    response
      .status(200)
      .type("application/zip")
      .set("Content-Disposition", `attachment; filename="${file.fileName}"`)
      .send(Buffer.from(file.bytes));
  });
  return router;
}
