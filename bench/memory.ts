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
 * The peak RSS of the stack's API process for a scenario's `details`, beside its target. A target, not a correctness
 * check: a miss is reported, as for speed. The process is the API alone (the sandbox has its own) run from TypeScript
 * through tsx, with the profiler too under --profile.
 */
export async function apiPeakRss(stack: {
  pid: number;
}): Promise<{ details: Record<string, number | string | boolean> }> {
  const megabytes = await peakRssMb(stack.pid);
  if (megabytes === undefined) return { details: { api_peak_rss_mb: "unavailable (no /proc)" } };
  return {
    details: {
      api_peak_rss_mb: megabytes,
      api_peak_rss_target_mb: API_PEAK_RSS_TARGET_MB,
      api_peak_rss_meets_target: megabytes <= API_PEAK_RSS_TARGET_MB,
    },
  };
}
