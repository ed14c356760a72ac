import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { freePort } from "@paysign/test-kit";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

const serverDir = path.resolve(import.meta.dirname, "..");
const pem = (type: "pkcs8" | "spki", key: { export(o: { format: "pem"; type: "pkcs8" | "spki" }): string | Buffer }) =>
  key.export({ format: "pem", type }).toString();

let database: TestDatabase;
let slowGateway: Server;
let gatewayUrl: string;
/** Requests the slow gateway has received: the test sends the signal once the sign-in is in flight. */
let gatewayHits = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  // An Alipay gateway that takes 1.5 s to answer (with nothing usable): a sign-in stays in flight that long.
  slowGateway = createServer((request, response) => {
    gatewayHits++;
    request.resume();
    setTimeout(() => response.writeHead(200, { "content-type": "application/json" }).end("{}"), 1_500);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => slowGateway.listen(port, "127.0.0.1", resolve));
  gatewayUrl = `http://127.0.0.1:${port}/gateway.do`;
});
afterAll(async () => {
  slowGateway.closeAllConnections();
  await new Promise((resolve) => slowGateway.close(resolve));
  await database.drop();
});

describe("graceful shutdown of the API process", () => {
  test("SIGTERM finishes the request in flight, stops pg-boss and the pool, exits 0 with no error-level line", async () => {
    const port = await freePort();
    const api = `http://127.0.0.1:${port}`;
    const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const alipay = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@paysign/source", "src/main.ts"], {
      cwd: serverDir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        PORT: String(port),
        DATABASE_URL: database.url,
        ADMIN_API_KEY: "shutdown-test-admin-key",
        SESSION_SECRET: "shutdown-test-session-secret-0123456789",
        ALIPAY_APP_ID: "2021000000000099",
        ALIPAY_PRIVATE_KEY: pem("pkcs8", app.privateKey),
        ALIPAY_PUBLIC_KEY: pem("spki", alipay.publicKey),
        ALIPAY_GATEWAY: gatewayUrl,
        SHUTDOWN_GRACE_SECONDS: "10",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      for (
        let tries = 0;
        !(await fetch(`${api}/readyz`).then(
          (r) => r.ok,
          () => false,
        ));
        tries++
      ) {
        if (tries > 300 || child.exitCode !== null) throw new Error(`the API did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      const inFlight = fetch(`${api}/api/v1/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ authCode: "in-flight-code" }),
      });
      while (gatewayHits === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      child.kill("SIGTERM");

      // Answered (Alipay's answer was unusable: 502), not cut.
      expect((await inFlight).status).toBe(502);
      await expect(fetch(`${api}/healthz`)).rejects.toThrow();
      expect(await exited).toBe(0);
      const lines = output.split("\n").filter((line) => line.startsWith("{"));
      expect(lines.filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
      expect(lines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 60_000);
});
