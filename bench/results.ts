import { cpus, totalmem } from "node:os";

/** One scenario's figures, in the shape issue #8 asks for (`bench/results.json`). */
export type ScenarioResult = {
  /** "ok", or "unavailable: <reason>" when the scenario could not run here. */
  status: string;
  value: number | null;
  unit: string;
  p50_ms?: number;
  p99_ms?: number;
  /** The same quantity for each peer, measured in the same run. */
  peers: Record<string, number>;
  /** `<scenario>/<peer>`: value divided by the peer's value. */
  ratios: Record<string, number>;
  checks: Record<string, boolean>;
  /** Counts, durations and settings behind the figures. */
  details: Record<string, number | string | boolean>;
  /** Where the server's CPU went (with `--profile`). */
  profile?: ProfileSummary;
};

export type ProfileSummary = {
  file: string;
  /** Share of the measured time the server's main thread was busy (not idle). */
  busyPercent: number;
  /** Share of sampled time (idle excluded) by package, or by workspace package for our own code. */
  byPackage: Array<{ name: string; percent: number }>;
  /** The functions with the most self time. */
  topFunctions: Array<{ name: string; percent: number }>;
  /** Our own functions (apps/*, packages/*) with the time of everything they call. */
  oursInclusive: Array<{ name: string; percent: number }>;
};

export type Machine = {
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  memory_gb: number;
  date: string;
};

export type BenchResults = { machine: Machine; scenarios: Record<string, ScenarioResult> };

export function describeMachine(): Machine {
  const processors = cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: processors[0]?.model.trim() ?? "unknown",
    cores: processors.length,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString(),
  };
}

export function unavailable(reason: string, unit: string): ScenarioResult {
  return { status: `unavailable: ${reason}`, value: null, unit, peers: {}, ratios: {}, checks: {}, details: {} };
}

/** Rounds a figure for reading: three significant digits, integers as they are past 1,000. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 1000) return Math.round(value);
  return Number(value.toPrecision(3));
}

export function ratiosOf(name: string, value: number, peers: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(peers).map(([peer, peerValue]) => [`${name}/${peer}`, round(value / peerValue)]),
  );
}

const formatNumber = (value: number | null | undefined) =>
  value === null || value === undefined ? "–" : value.toLocaleString("en-US");

/** The table `pnpm bench` prints and BENCHMARKS.md shows. */
export function formatTable(results: BenchResults): string {
  const header = ["scenario", "value", "p50 / p99 ms", "peers", "ratios", "checks"];
  const rows = Object.entries(results.scenarios).map(([name, result]) => {
    const ok = result.status === "ok";
    const checks = Object.entries(result.checks);
    return [
      name,
      ok ? `${formatNumber(result.value)} ${result.unit}` : result.status,
      result.p99_ms === undefined ? "–" : `${formatNumber(result.p50_ms)} / ${formatNumber(result.p99_ms)}`,
      Object.entries(result.peers)
        .map(([peer, value]) => `${peer} ${formatNumber(value)}`)
        .join("; ") || "–",
      Object.entries(result.ratios)
        .map(([ratio, value]) => `${ratio} ${value}×`)
        .join("; ") || "–",
      checks.length === 0
        ? "–"
        : checks.every(([, passed]) => passed)
          ? `all ${checks.length} true`
          : `FAILED: ${checks
              .filter(([, passed]) => !passed)
              .map(([check]) => check)
              .join(", ")}`,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  return [line(header), `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

export function formatMachine(machine: Machine): string {
  return `${machine.cpu}, ${machine.cores} cores, ${machine.memory_gb} GB, ${machine.platform}, Node ${machine.node}, ${machine.date}`;
}
