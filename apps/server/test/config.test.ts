import { describe, expect, test } from "vitest";
import { ConfigError, devAdminApiKey, loadConfig } from "../src/env.ts";

describe("configuration", () => {
  test("development runs on embedded defaults with the printed dev admin key", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, databaseUrl: undefined, adminApiKey: devAdminApiKey });
  });

  test("production refuses to start without a database URL and an admin key, naming both", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/DATABASE_URL: is required in production/);
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/ADMIN_API_KEY: is required in production/);
  });

  test("a malformed value is reported with the variable's name", () => {
    expect(() => loadConfig({ PORT: "http" })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" })).toThrow(
      /DATABASE_URL: must be a postgresql:\/\/ connection URL/,
    );
    expect(() => loadConfig({ ADMIN_API_KEY: "short" })).toThrow(/ADMIN_API_KEY: must be at least 12 characters/);
  });
});
