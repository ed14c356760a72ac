import { readFile } from "node:fs/promises";

/** The API's memory target (issue #20): peak resident set size. */
const API_PEAK_RSS_TARGET_MB = 256;

/**
 * The peak resident set size of a process so far (`VmHWM` of /proc/<pid>/status) in MB, or undefined where there is
 * no /proc (not Linux) or the process is gone.
 */
async function peakRssMb(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kilobytes = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kilobytes === undefined ? undefined : Math.round(Number(kilobytes) / 1024);
}

/**
 * The peak RSS of the stack's server process for a scenario's `details`, and its check against the target. Until
 * the sandbox has a process of its own, that process holds the sandbox as well as the API, which the details say.
 */
export async function apiPeakRss(stack: { pid: number }): Promise<{
  details: Record<string, number | string>;
  checks: Record<string, boolean>;
}> {
  const megabytes = await peakRssMb(stack.pid);
  if (megabytes === undefined) return { details: { api_peak_rss_mb: "unavailable (no /proc)" }, checks: {} };
  return {
    details: {
      api_peak_rss_mb: megabytes,
      api_peak_rss_process: "the stack's server process: API with the sandbox in it (and the profiler with --profile)",
    },
    checks: { api_peak_rss_under_256mb: megabytes <= API_PEAK_RSS_TARGET_MB },
  };
}
