import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

test("the build writes a self-contained dist/ with app.json and app.js", () => {
  execFileSync(process.execPath, ["--import", "tsx", "scripts/build.ts"], { cwd: root, stdio: "pipe" });
  expect(JSON.parse(readFileSync(path.join(root, "dist", "app.json"), "utf8"))).toHaveProperty("pages");
  expect(existsSync(path.join(root, "dist", "app.js"))).toBe(true);
});
