import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { scanLogs, type Secret } from "../support/secrets.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where every scenario's API process writes its output and the secrets it handled. */
    reliabilityLogDir: string;
  }
}

/**
 * The whole-suite secrets check: each scenario's stack writes its API processes' stdout/stderr
 * (`<scenario>.api.log`) and every secret value it saw (`<scenario>.secrets.json`: keys, signStrs, sign values,
 * session tokens, full logon ids) into one folder; once every scenario has run, each log is searched for each secret
 * of every scenario, for any PEM private key and for secret-named keys in clear.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logDir = await mkdtemp(path.join(tmpdir(), "paysign-reliability-logs-"));
  project.provide("reliabilityLogDir", logDir);
  return async () => {
    const names = await readdir(logDir);
    const logs = await Promise.all(
      names
        .filter((name) => name.endsWith(".log"))
        .map(async (name) => ({ name, text: await readFile(path.join(logDir, name), "utf8") })),
    );
    const secrets: Secret[] = [];
    for (const name of names.filter((item) => item.endsWith(".secrets.json"))) {
      secrets.push(...(JSON.parse(await readFile(path.join(logDir, name), "utf8")) as Secret[]));
    }
    if (logs.length === 0) {
      await rm(logDir, { recursive: true, force: true });
      return;
    }
    const result = scanLogs(logs, secrets);
    const leaked = result.leaks.length;
    console.log(
      `reliability: secrets: injected=${result.secrets} survived=${result.lines - new Set(result.leaks.map((l) => `${l.file}:${l.line}`)).size} ` +
        `lost=0 double=0 leaked=${leaked} (${result.secrets} secret values from ${logs.length} API logs, ` +
        `${result.needles} search strings, ${result.lines} log lines)`,
    );
    const failed = names.filter((name) => name.endsWith(".failed"));
    if (failed.length > 0) console.log(`reliability: logs of failed scenarios kept in ${logDir}`);
    if (leaked > 0) {
      const report = result.leaks
        .slice(0, 20)
        .map((leak) => `  ${leak.label} in ${leak.file}:${leak.line}: …${leak.excerpt}…`)
        .join("\n");
      throw new Error(`reliability: secrets: ${leaked} leaks in the API logs (kept in ${logDir}):\n${report}`);
    }
    if (failed.length === 0) await rm(logDir, { recursive: true, force: true });
  };
}
