import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, "../../..");

type ListedPackage = { dependencies?: Record<string, ListedPackage> };

function namesIn(dependencies: Record<string, ListedPackage> = {}, into = new Set<string>()): Set<string> {
  for (const [name, listed] of Object.entries(dependencies)) {
    if (into.has(name)) continue;
    into.add(name);
    namesIn(listed.dependencies, into);
  }
  return into;
}

// The sandbox and the test kit are development tools: what a production install of the server brings
// (`pnpm --filter @paysign/server deploy --prod`) is this dependency tree, and neither is in it.
test("the server's production dependencies include no Alipay sandbox and no test kit", async () => {
  const { stdout } = await run(
    "pnpm",
    ["--filter", "@paysign/server", "list", "--prod", "--depth", "Infinity", "--json"],
    { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
  );
  const [server] = JSON.parse(stdout) as ListedPackage[];
  const names = namesIn(server?.dependencies);
  expect(names).toContain("@paysign/contracts");
  expect(names).toContain("express");
  expect(names).not.toContain("@paysign/alipay-sandbox");
  expect(names).not.toContain("@paysign/test-kit");
});
