import request from "supertest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApp } from "../src/app.ts";
import { createDatabase } from "../src/db/prisma.ts";
import { loadConfig } from "../src/env.ts";
import { createLogger } from "../src/logger.ts";
import { freePort } from "@paysign/test-kit";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

const config = loadConfig({ NODE_ENV: "test" });
const logger = createLogger({ level: "silent" });
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("health", () => {
  test("liveness and readiness answer 200 when the database answers", async () => {
    const app = createApp({ config, logger, db: database.db });
    await request(app).get("/healthz").expect(200, { status: "ok" });
    await request(app)
      .get("/readyz")
      .expect(200, { status: "ok", checks: { database: "ok" } });
  });

  test("readiness answers 503 when the database is unreachable, while liveness stays 200", async () => {
    const unreachable = createDatabase({ url: `postgresql://nobody:x@127.0.0.1:${await freePort()}/none`, logger });
    const app = createApp({ config, logger, db: unreachable });
    await request(app).get("/healthz").expect(200);
    const response = await request(app).get("/readyz").expect(503);
    expect(response.body).toEqual({ status: "unavailable", checks: { database: "fail" } });
    await unreachable.close();
  });

  test("an unknown route answers 404 with the error body and the request id", async () => {
    const app = createApp({ config, logger, db: database.db });
    const response = await request(app).get("/no/such/route").set("x-request-id", "req-123").expect(404);
    expect(response.body).toEqual({
      error: { code: "NOT_FOUND", message: "No route GET /no/such/route.", requestId: "req-123" },
    });
    expect(response.headers["x-request-id"]).toBe("req-123");
  });
});
