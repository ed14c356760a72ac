import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { defined, freePort, http, tempDir } from "../src/index.ts";

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      if (request.url === "/text") {
        response.writeHead(200, { "content-type": "text/plain" }).end("success");
        return;
      }
      response
        .writeHead(201, { "content-type": "application/json" })
        .end(JSON.stringify({ method: request.method, type: request.headers["content-type"] ?? null, body }));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the test kit", () => {
  test("defined answers a present value and names a missing one", () => {
    expect(defined(0, "a count")).toBe(0);
    expect(() => defined(undefined, "the first row")).toThrow("expected the first row, got undefined");
    expect(() => defined(null, "a notify_id")).toThrow("expected a notify_id, got null");
  });

  test("freePort answers a port a server can listen on", async () => {
    expect(new URL(url).port).toMatch(/^\d+$/);
    expect(await freePort()).not.toBe(Number(new URL(url).port));
  });

  test("http posts a JSON body and parses a JSON answer", async () => {
    const answer = await http<{ method: string; type: string; body: string }>(`${url}/json`, { body: { a: 1 } });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ method: "POST", type: "application/json", body: '{"a":1}' });
    expect(answer.contentType).toBe("application/json");
  });

  test("http keeps an answer that is not JSON as text", async () => {
    const answer = await http(`${url}/text`);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe("success");
    expect(answer.body).toEqual({});
  });

  let made = "";
  test("tempDir makes a folder for the current test", () => {
    made = tempDir("paysign-test-kit-");
    expect(existsSync(made)).toBe(true);
  });

  test("tempDir's folder is gone once its test has finished", () => {
    expect(made).not.toBe("");
    expect(existsSync(made)).toBe(false);
  });
});
