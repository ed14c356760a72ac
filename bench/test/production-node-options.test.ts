import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "vitest";
import { PRODUCTION_NODE_OPTIONS, repoRoot } from "../stack.ts";

// The bench's API and workers run with the Node.js options production runs with: the Dockerfile's NODE_OPTIONS and
// the server's start and worker scripts name the same ones, so a memory figure of `pnpm bench` is production's.
test("the Dockerfile, the server's start scripts and the bench run Node.js with the same options", async () => {
  const dockerfile = await readFile(path.join(repoRoot, "Dockerfile"), "utf8");
  const scripts = (
    JSON.parse(await readFile(path.join(repoRoot, "apps", "server", "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  const options = PRODUCTION_NODE_OPTIONS.join(" ");
  expect(options).not.toBe("");
  const imageOptions = /^ENV .*\bNODE_OPTIONS=("[^"]*"|\S+)/m.exec(dockerfile)?.[1]?.replace(/^"|"$/g, "");
  expect(imageOptions).toBe(options);
  for (const [name, file] of [
    ["start", "dist/main.js"],
    ["worker", "dist/worker.js"],
  ])
    expect(scripts[name ?? ""], name).toBe(`node --enable-source-maps ${options} ${file}`);
});
