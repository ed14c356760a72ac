import { readFile, writeFile } from "node:fs/promises";

/** The API's memory target (issue #20): peak resident set size during a scenario. */
const API_PEAK_RSS_TARGET_MB = 256;

/**
 * The peak resident set size of a process (`VmHWM` of /proc/<pid>/status) in MB, or undefined where there is no
 * /proc (not Linux) or the process is gone.
 */
async function peakRssMb(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kilobytes = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kilobytes === undefined ? undefined : Math.round(Number(kilobytes) / 1024);
}

/**
 * Closes a process's start-up for its peak RSS: returns the peak so far in MB (the API's start-up: migrations, the
 * demo plans, the embedded PostgreSQL's client) and restarts the peak from the current RSS (`5` into
 * /proc/<pid>/clear_refs, Linux ≥ 4.0), so the next reading is the peak of what follows. Undefined without /proc or
 * where the peak cannot be restarted.
 */
export async function restartPeakRss(pid: number): Promise<number | undefined> {
  const startup = await peakRssMb(pid);
  if (startup === undefined) return undefined;
  const restarted = await writeFile(`/proc/${pid}/clear_refs`, "5").then(
    () => true,
    () => false,
  );
  return restarted ? startup : undefined;
}

/**
 * The peak RSS of the stack's API process during the scenario (since its start-up ended, bench/stack.ts) for the
 * scenario's `details`, beside its target and the start-up's own peak. A target, not a correctness check: a miss is
 * reported, as for speed. The process is the API alone (the sandbox has its own), with the profiler too under
 * --profile.
 */
export async function apiPeakRss(stack: {
  pid: number;
  startupPeakRssMb: number | undefined;
}): Promise<{ details: Record<string, number | string | boolean> }> {
  const megabytes = await peakRssMb(stack.pid);
  if (megabytes === undefined || stack.startupPeakRssMb === undefined)
    return { details: { api_peak_rss_mb: "unavailable (no /proc, or its peak cannot be restarted)" } };
  return {
    details: {
      api_peak_rss_mb: megabytes,
      api_peak_rss_target_mb: API_PEAK_RSS_TARGET_MB,
      api_peak_rss_meets_target: megabytes <= API_PEAK_RSS_TARGET_MB,
      api_startup_peak_rss_mb: stack.startupPeakRssMb,
    },
  };
}
