import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { format } from "prettier";
import { describeMachine, formatMachine, formatTable, type BenchResults, type ScenarioResult } from "./results.ts";
import { fullSizes, smallSizes, type ScenarioOptions } from "./scenario.ts";
import { runConsole } from "./scenarios/console.ts";
import { runDeductions } from "./scenarios/deductions.ts";
import { runMiniprogram } from "./scenarios/miniprogram.ts";
import { runNotify } from "./scenarios/notify.ts";
import { runScale } from "./scenarios/scale.ts";
import { runSignstr } from "./scenarios/signstr.ts";
import { runWebhooks } from "./scenarios/webhooks.ts";

export const scenarios = {
  signstr: runSignstr,
  notify: runNotify,
  deductions: runDeductions,
  miniprogram: runMiniprogram,
  console: runConsole,
  scale: runScale,
  webhooks: runWebhooks,
} satisfies Record<string, (options: ScenarioOptions) => Promise<ScenarioResult>>;

export type ScenarioName = keyof typeof scenarios;

export async function runBench(options: {
  only?: ScenarioName[];
  scenario: ScenarioOptions;
  log?: (line: string) => void;
}): Promise<BenchResults> {
  const log = options.log ?? (() => {});
  const results: BenchResults = { machine: describeMachine(), scenarios: {} };
  const names = options.only ?? (Object.keys(scenarios) as ScenarioName[]);
  for (const name of names) {
    const started = performance.now();
    log(`${name}…`);
    const result = await scenarios[name](options.scenario);
    result.details.wall_seconds = Math.round((performance.now() - started) / 100) / 10;
    results.scenarios[name] = result;
    log(`${name}: ${result.status === "ok" ? `${result.value} ${result.unit}` : result.status}`);
  }
  return results;
}

export async function writeResults(results: BenchResults, file: string): Promise<void> {
  // Formatted as `pnpm lint` (prettier --check) wants it, so a fresh results.json can be committed as is.
  await writeFile(file, await format(JSON.stringify(results), { parser: "json" }));
}

function formatProfiles(results: BenchResults): string {
  return Object.entries(results.scenarios)
    .flatMap(([name, result]) => (result.profile ? [{ name, profile: result.profile }] : []))
    .map(({ name, profile }) =>
      [
        `\nprofile of the server during ${name} (${profile.file}): main thread busy ${profile.busyPercent}% of the load; shares of busy time:`,
        `  by package: ${profile.byPackage.map((entry) => `${entry.name} ${entry.percent}%`).join(", ")}`,
        "  self time:",
        ...profile.topFunctions.map((entry) => `  ${String(entry.percent).padStart(5)}%  ${entry.name}`),
        "  our functions, inclusive:",
        ...profile.oursInclusive.map((entry) => `  ${String(entry.percent).padStart(5)}%  ${entry.name}`),
      ].join("\n"),
    )
    .join("\n");
}

async function main() {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      small: { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      out: { type: "string", default: path.join(import.meta.dirname, "results.json") },
    },
  });
  const only = values.only?.split(",").map((name) => {
    if (!(name in scenarios)) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(", ")}`);
    return name as ScenarioName;
  });
  const started = performance.now();
  const results = await runBench({
    ...(only ? { only } : {}),
    scenario: {
      sizes: values.small ? smallSizes : fullSizes,
      profileDir: values.profile ? path.join(import.meta.dirname, "profiles") : undefined,
    },
    log: (line) => process.stderr.write(`  ${line}\n`),
  });
  await writeResults(results, values.out);
  process.stdout.write(
    `\n${formatTable(results)}\n\nmachine: ${formatMachine(results.machine)}\n${formatProfiles(results)}\n` +
      `\nwritten to ${path.relative(process.cwd(), values.out)} in ${Math.round((performance.now() - started) / 1000)} s\n`,
  );
  const failed = Object.entries(results.scenarios).filter(([, result]) =>
    Object.values(result.checks).some((passed) => !passed),
  );
  if (failed.length > 0) process.exitCode = 1;
}

if (import.meta.filename === process.argv[1] || process.argv[1]?.endsWith("bench/run.ts")) await main();
