import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, test } from "vitest";
import { freePort } from "@paysign/test-kit";
import { openDatabase } from "../src/database.ts";
import { ConfigError, loadConfig, type Config } from "../src/env.ts";
import { createLogger } from "../src/logger.ts";
import { startServer } from "../src/server.ts";
import { StartupError } from "../src/startup-error.ts";
import { createTestDatabase, databaseUrlFor } from "./support/test-database.ts";

const run = promisify(execFile);
const serverDir = path.resolve(import.meta.dirname, "..");
const logger = createLogger({ level: "silent" });

const appKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const alipayKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = (
  key: { export(options: { format: "pem"; type: "pkcs8" | "spki" }): string | Buffer },
  type: "pkcs8" | "spki",
) => key.export({ format: "pem", type }).toString();

const secrets = {
  ADMIN_API_KEY: "startup-checks-admin-key",
  SESSION_SECRET: "startup-checks-session-secret-0123456789",
};
const alipay = {
  ALIPAY_APP_ID: "2021000000000001",
  ALIPAY_PRIVATE_KEY: pem(appKeys.privateKey, "pkcs8"),
  ALIPAY_PUBLIC_KEY: pem(alipayKeys.publicKey, "spki"),
};

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("the configuration was accepted");
}

function withDatabase(url: string): Config {
  return { ...loadConfig({ ...secrets, DATABASE_URL: url }), logLevel: "silent" };
}

async function openError(url: string): Promise<string> {
  const error: unknown = await openDatabase(withDatabase(url), logger).then(
    () => new Error("the database opened"),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(StartupError);
  return (error as Error).message;
}

describe("configuration errors come in one message", () => {
  test("a truncated key and a short session secret are both named", () => {
    const message = configError({
      ...alipay,
      ALIPAY_PRIVATE_KEY: alipay.ALIPAY_PRIVATE_KEY.slice(0, 400),
      ADMIN_API_KEY: secrets.ADMIN_API_KEY,
      SESSION_SECRET: "short",
    });
    expect(message).toContain("SESSION_SECRET: must be at least 32 characters");
    expect(message).toContain("ALIPAY_PRIVATE_KEY: The ALIPAY_PRIVATE_KEY");
  });

  test("an unreadable Alipay public key is reported beside a malformed port", () => {
    const message = configError({ ...alipay, ...secrets, ALIPAY_PUBLIC_KEY: "not a key", PORT: "http" });
    expect(message).toMatch(/- PORT: /);
    expect(message).toContain("ALIPAY_PUBLIC_KEY: The ALIPAY_PUBLIC_KEY could not be read as an RSA public key");
  });
});

describe("the Alipay public key", () => {
  test("the app's own public key in ALIPAY_PUBLIC_KEY is refused, naming the mistake", () => {
    const message = configError({ ...alipay, ...secrets, ALIPAY_PUBLIC_KEY: pem(appKeys.publicKey, "spki") });
    expect(message).toContain(
      "ALIPAY_PUBLIC_KEY: is your app's public key (it matches ALIPAY_PRIVATE_KEY), not the Alipay public key.",
    );
    expect(message).toContain("支付宝公钥");
  });

  test("the app public key as bare base64 is caught too", () => {
    const base64 = pem(appKeys.publicKey, "spki").replace(/-----[A-Z ]+-----|\s+/g, "");
    expect(configError({ ...alipay, ...secrets, ALIPAY_PUBLIC_KEY: base64 })).toContain(
      "ALIPAY_PUBLIC_KEY: is your app's public key",
    );
  });

  test("the Alipay public key is accepted", () => {
    expect(loadConfig({ ...alipay, ...secrets }).alipay?.mode).toBe("public-key");
  });
});

describe("the database named by DATABASE_URL", () => {
  test("unreachable: the host and port to check", async () => {
    const port = await freePort();
    const message = await openError(`postgresql://paysign:secret-password@127.0.0.1:${port}/paysign`);
    expect(message).toContain(`PostgreSQL cannot be reached at 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(message).toContain("check the host and port in DATABASE_URL");
    expect(message).not.toContain("secret-password");
  });

  test("authentication failed: the user and password to check", async () => {
    const url = new URL(inject("adminDatabaseUrl"));
    url.username = `nobody_${randomBytes(4).toString("hex")}`;
    url.password = "wrong-password";
    const message = await openError(url.toString());
    expect(message).toContain(`refused user "${url.username}" (authentication failed)`);
    expect(message).toContain("check the user name and password in DATABASE_URL");
    expect(message).not.toContain("wrong-password");
  });

  test("database missing: create it or fix its name", async () => {
    const name = `missing_${randomBytes(4).toString("hex")}`;
    const message = await openError(databaseUrlFor(inject("adminDatabaseUrl"), name));
    expect(message).toContain(`has no database "${name}": create it (createdb ${name}`);
    expect(message).toContain("fix the database name at the end of DATABASE_URL");
  });

  test("the API process says it in plain words, not as a JSON log line", async () => {
    const port = await freePort();
    const failure = await run(process.execPath, ["--import", "tsx", "--conditions=@paysign/source", "src/main.ts"], {
      cwd: serverDir,
      env: {
        PATH: process.env.PATH,
        ...secrets,
        PORT: String(await freePort()),
        DATABASE_URL: `postgresql://paysign:pw@127.0.0.1:${port}/paysign`,
        LOG_LEVEL: "warn",
      },
    }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim()).toMatch(
      new RegExp(`^PostgreSQL cannot be reached at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): check the host`),
    );
  }, 30_000);
});

describe("a port in use names its variable", () => {
  test("the API's port: PORT", async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as net.AddressInfo).port)),
    );
    try {
      const config = { ...withDatabase("postgresql://unused@127.0.0.1:1/unused"), port };
      await expect(startServer(config, logger)).rejects.toThrow(
        `The API needs port ${port} (PORT), which is already in use: stop what uses it or set PORT to a free port.`,
      );
    } finally {
      blocker.close();
    }
  });
});

async function runScript(script: string, input: { env: Record<string, string>; args?: string[] }) {
  return run(process.execPath, ["--import", "tsx", "--conditions=@paysign/source", script, ...(input.args ?? [])], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, ...input.env },
  }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (error: { code: number; stderr: string }) => error,
  );
}

describe("database commands in production", () => {
  test("db:seed refuses the demo plans in production unless asked", async () => {
    const production = {
      ...alipay,
      NODE_ENV: "production",
      DATABASE_URL: `postgresql://paysign@127.0.0.1:${await freePort()}/paysign`,
      ADMIN_API_KEY: randomBytes(32).toString("hex"),
      SESSION_SECRET: randomBytes(32).toString("hex"),
      ALIPAY_NOTIFY_URL: "https://pay.example.com/alipay/notify",
    };
    const refused = await runScript("scripts/db-seed.ts", { env: production });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("db:seed refuses to insert the demo plans into a production database");
    expect(refused.stderr).toContain("--demo-plans-in-production");
  }, 30_000);

  test("the migration command needs only DATABASE_URL and explains an unreachable database", async () => {
    const port = await freePort();
    const failed = await runScript("src/migrate.ts", {
      env: { NODE_ENV: "production", DATABASE_URL: `postgresql://paysign@127.0.0.1:${port}/paysign` },
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toMatch(new RegExp(`^PostgreSQL cannot be reached at 127\\.0\\.0\\.1:${port}`));

    const empty = await createTestDatabase({ migrated: false });
    try {
      const migrated = await runScript("src/migrate.ts", { env: { NODE_ENV: "production", DATABASE_URL: empty.url } });
      expect(migrated).toMatchObject({ code: 0 });
      const tables = await empty.db.prisma.$queryRaw<unknown[]>`SELECT 1 FROM "_prisma_migrations"`;
      expect(tables.length).toBeGreaterThan(0);
    } finally {
      await empty.drop();
    }
  }, 30_000);
});
