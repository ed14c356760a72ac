import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { ProfileSummary } from "./results.ts";

type CpuProfile = {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
};

/** Who owns a script: an npm package, one of ours (`apps/server`, `packages/contracts`…), Node itself, or V8. */
function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const inModules = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules?.[1]) return inModules[1];
  if (url.includes("deps/undici")) return "node (fetch)";
  if (url.startsWith("node:")) return "node (core)";
  const ours = /\/(apps|packages)\/([^/]+)\//.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  return url;
}

/**
 * Self time by package and by function over a profile, between `from` and `to` (monotonic microseconds, the clock of
 * `process.hrtime` and of V8's profiler on Linux: the measured load, not start-up or setup). Idle time is left out,
 * so the shares are of the time the process was busy.
 */
export function summarizeProfile(profile: CpuProfile, file: string, window?: { from: number; to: number }) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const nameOf = (frame: CpuProfile["nodes"][number]["callFrame"]) => {
    const owner = ownerOf(frame.url, frame.functionName);
    const where = frame.url ? `${owner} ${path.basename(frame.url)}` : owner;
    return { owner, name: `${frame.functionName || "(anonymous)"} ${where}` };
  };
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const oursInclusive = new Map<string, number>();
  let busy = 0;
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (window && (at < window.from || at > window.to)) return;
    total += delta;
    const frame = nodes.get(id);
    if (!frame || frame.functionName === "(idle)") return;
    busy += delta;
    const { owner, name } = nameOf(frame);
    byPackage.set(owner, (byPackage.get(owner) ?? 0) + delta);
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
    // Inclusive time of our own functions (apps/*, packages/*): what each of our steps costs with what it calls.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      const callFrame = nodes.get(current);
      if (!callFrame || !/\/(apps|packages)\//.test(callFrame.url) || callFrame.url.includes("node_modules")) continue;
      const ours = nameOf(callFrame).name;
      if (seen.has(ours)) continue;
      seen.add(ours);
      oursInclusive.set(ours, (oursInclusive.get(ours) ?? 0) + delta);
    }
  });
  const top = (map: Map<string, number>, count: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, time]) => ({ name, percent: Math.round((1000 * time) / busy) / 10 }));
  return {
    file,
    busyPercent: total > 0 ? Math.round((1000 * busy) / total) / 10 : 0,
    byPackage: top(byPackage, 12),
    topFunctions: top(byFunction, 15),
    oursInclusive: top(oursInclusive, 15),
  } satisfies ProfileSummary;
}

/** The profile the stack process wrote into `dir` when it stopped. */
export async function readProfile(dir: string): Promise<{ profile: CpuProfile; file: string } | undefined> {
  const files = (await readdir(dir)).filter((name) => name.endsWith(".cpuprofile"));
  const file = files.sort().at(-1);
  if (!file) return undefined;
  const full = path.join(dir, file);
  return { profile: JSON.parse(await readFile(full, "utf8")) as CpuProfile, file: full };
}

/** Now on the profiler's clock (monotonic microseconds). */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);
