import { describe, expect, test } from "vitest";
import { isDatabaseUnavailable } from "../src/http/database-errors.ts";

describe("a lost database is told apart from other errors", () => {
  test.each([
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })],
    [
      "Prisma's adapter error for a server starting up (57P03)",
      Object.assign(new Error("Invalid invocation"), {
        meta: { driverAdapterError: { cause: { originalCode: "57P03", kind: "postgres" } } },
      }),
    ],
    [
      "a shutdown message deep in causes",
      new Error("query failed", { cause: new Error("the database system is shutting down") }),
    ],
  ])("%s → unavailable", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  test.each([
    ["a unique violation", Object.assign(new Error("Unique constraint failed"), { code: "P2002" })],
    [
      "a data exception",
      Object.assign(new Error("value out of range"), {
        meta: { driverAdapterError: { cause: { originalCode: "22003" } } },
      }),
    ],
    ["a plain bug", new TypeError("undefined is not a function")],
  ])("%s → not unavailable", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
