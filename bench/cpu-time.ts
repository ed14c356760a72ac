import { readdir, readFile } from "node:fs/promises";

/** CPU time so far (user + system, in clock ticks of 10 ms) of the API process and of the PostgreSQL it started. */
export type CpuSnapshot = { api: number; postgres: Map<number, number> };

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every common architecture. */
const TICK_MS = 10;

type ProcessStat = { pid: number; parent: number; ticks: number };

/** utime + stime and the parent of every process in /proc; none where there is no /proc (not Linux). */
async function processStats(): Promise<ProcessStat[]> {
  const pids = (await readdir("/proc").catch(() => [])).filter((name) => /^\d+$/.test(name));
  const stats = await Promise.all(
    pids.map(async (pid) => {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
      // The command name (field 2) may hold spaces: the fields after it are read from its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields.length < 13) return undefined;
      return { pid: Number(pid), parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
    }),
  );
  return stats.filter((stat) => stat !== undefined);
}

/**
 * The API's CPU time, and each process of its embedded PostgreSQL's (the API's descendants: the postmaster, its
 * backends and workers), at this moment. Undefined without /proc.
 */
export async function cpuSnapshot(apiPid: number): Promise<CpuSnapshot | undefined> {
  const stats = await processStats();
  const api = stats.find((stat) => stat.pid === apiPid);
  if (!api) return undefined;
  const descendants = new Set([apiPid]);
  // Parents come before their children in pid order only by chance: repeat until no process joins.
  for (let grew = true; grew;) {
    grew = false;
    for (const stat of stats) {
      if (descendants.has(stat.parent) && !descendants.has(stat.pid)) {
        descendants.add(stat.pid);
        grew = true;
      }
    }
  }
  descendants.delete(apiPid);
  return {
    api: api.ticks,
    postgres: new Map(stats.filter((stat) => descendants.has(stat.pid)).map((stat) => [stat.pid, stat.ticks])),
  };
}

/**
 * CPU milliseconds per request between two snapshots, for the API and for PostgreSQL: what a request costs each side,
 * steadier from run to run than requests/s on these shared cores. A PostgreSQL process that exited in between (an
 * autovacuum worker) is left out, so its figure is a floor. Undefined without /proc.
 */
export function cpuMsPerRequest(
  before: CpuSnapshot | undefined,
  after: CpuSnapshot | undefined,
  requests: number,
): { api: number; postgres: number } | undefined {
  if (!before || !after || requests <= 0) return undefined;
  let postgres = 0;
  for (const [pid, ticks] of after.postgres) {
    const earlier = before.postgres.get(pid) ?? 0;
    // Fewer ticks than before: the pid is a new process's.
    postgres += ticks >= earlier ? ticks - earlier : ticks;
  }
  const perRequest = (ticks: number) => Math.round(((ticks * TICK_MS) / requests) * 1000) / 1000;
  return { api: perRequest(after.api - before.api), postgres: perRequest(postgres) };
}
