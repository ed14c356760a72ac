import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { describe, expect, test } from "vitest";
import { defined, freePort, tempDir } from "@paysign/test-kit";

const repoRoot = path.resolve(import.meta.dirname, "../..");

type DevProcess = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

function startDev(env: Record<string, string>): DevProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@paysign/source", "scripts/dev.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...env,
      DATABASE_URL: "",
      LOG_LEVEL: "warn",
      PAYSIGN_MINI_OUTDIR: path.join(defined(env.DATA_DIR, "env.DATA_DIR"), "mini"),
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, like a terminal's foreground job: Ctrl-C reaches every process of it (interrupt).
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Ctrl-C in a terminal: SIGINT to the whole process group, the embedded PostgreSQL and the mini program build too. */
function interrupt(dev: DevProcess): void {
  if (dev.child.pid === undefined) throw new Error("pnpm dev has no pid");
  process.kill(-dev.child.pid, "SIGINT");
}

/** The exit code once pnpm dev has stopped; an error with its output when it still runs `timeoutMs` after Ctrl-C. */
async function exitCodeWithin(dev: DevProcess, timeoutMs = 20_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`pnpm dev still running ${timeoutMs} ms after Ctrl-C:\n${dev.output()}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([dev.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** GET `url` from the running stack; an error naming the URL, with the stack's output, when no answer comes in 15 s. */
async function get(dev: DevProcess, url: string): Promise<Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new Error(`GET ${url} failed (${String(error)}); pnpm dev's output:\n${dev.output()}`, { cause: error });
  }
}

function errorLines(output: string): string[] {
  return output.split("\n").filter((line) => /"level":(50|60)/.test(line));
}

async function waitForBanner(dev: DevProcess, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  while (!dev.output().includes("paysign is running")) {
    if (Date.now() - started > timeoutMs) throw new Error(`no banner within ${timeoutMs} ms:\n${dev.output()}`);
    if (dev.child.exitCode !== null) throw new Error(`pnpm dev exited early:\n${dev.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

async function waitForOutput(dev: DevProcess, text: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!dev.output().includes(text)) {
    if (Date.now() - started > timeoutMs) throw new Error(`no "${text}" within ${timeoutMs} ms:\n${dev.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

describe("pnpm dev", () => {
  test("starts database, sandbox and API on embedded defaults, stops all on Ctrl-C, and keeps data and keys for the next run", async () => {
    const dataDir = tempDir("paysign-dev-", { open: true });
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
      SANDBOX_PORT: String(await freePort()),
      CONSOLE_PORT: String(await freePort()),
    };
    const consoleUrl = `http://127.0.0.1:${env.CONSOLE_PORT}/console/`;
    const sandbox = `http://127.0.0.1:${env.SANDBOX_PORT}`;
    const api = `http://127.0.0.1:${env.PORT}`;
    const databaseUrl = `postgresql://postgres:paysign-local@127.0.0.1:${env.EMBEDDED_PG_PORT}/paysign`;

    const first = startDev(env);
    const startedInMs = await waitForBanner(first);
    console.info(`dev stack: banner after ${startedInMs} ms`);
    expect(first.output()).toContain(`API          ${api}`);
    expect(first.output()).toContain("Admin key    dev-admin-key");
    expect((await get(first, `${api}/healthz`)).status).toBe(200);
    expect((await get(first, `${api}/readyz`)).status).toBe(200);
    expect((await get(first, `${api}/docs`)).status).toBe(200);
    expect(first.output()).toContain(`Sandbox      ${sandbox}`);
    expect((await get(first, `${sandbox}/sandbox/clock`)).status).toBe(200);
    expect((await get(first, sandbox)).status).toBe(200);
    await waitForOutput(first, "mini program (development) → ");
    expect(first.output()).toContain(`Console      ${consoleUrl}`);
    await waitForOutput(first, "ready in");
    const consolePage = await get(first, consoleUrl);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain('<div id="root">');
    // The dev server forwards the admin API, so the console's session cookie stays same-origin.
    expect((await get(first, `http://127.0.0.1:${env.CONSOLE_PORT}/admin/v1/session`)).status).toBe(401);
    expect(existsSync(path.join(dataDir, "mini", "app.json"))).toBe(true);
    const appPublicKey = readFileSync(path.join(dataDir, "keys", "app-public.pem"), "utf8");
    const customerId = randomUUID();
    await sql(
      databaseUrl,
      `INSERT INTO "Customer" (id, "alipayUserId", "updatedAt") VALUES ($1, '2088000000000001', now())`,
      [customerId],
    );

    interrupt(first);
    expect(await exitCodeWithin(first)).toBe(0);
    expect(errorLines(first.output())).toEqual([]);
    expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
    await expect(fetch(`${api}/healthz`)).rejects.toThrow();
    await expect(fetch(`${sandbox}/sandbox/clock`)).rejects.toThrow();

    const second = startDev(env);
    await waitForBanner(second);
    const customers = await sql(databaseUrl, `SELECT id FROM "Customer" WHERE id = $1`, [customerId]);
    const plans = await sql(databaseUrl, `SELECT id FROM "Plan"`);
    interrupt(second);
    expect(await exitCodeWithin(second)).toBe(0);
    expect(errorLines(second.output())).toEqual([]);
    expect(customers).toHaveLength(1);
    expect(plans).toHaveLength(3);
    expect(readFileSync(path.join(dataDir, "keys", "app-public.pem"), "utf8")).toBe(appPublicKey);
  }, 90_000);
});
