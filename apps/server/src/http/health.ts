import { Router } from "express";
import { pingDatabase, type Database } from "../db/prisma.ts";

export function healthRoutes(db: Database): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const database = await pingDatabase(db);
    res.status(database ? 200 : 503).json({ status: database ? "ok" : "unavailable", checks: { database } });
  });
  return router;
}
