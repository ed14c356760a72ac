import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@paysign/test-kit";

export type SystemPostgres = { url: string; stop(): void };

function has(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/** Why the machine's PostgreSQL cannot be used here, or undefined when initdb and pg_ctl are installed. */
export function systemPostgresMissing(): string | undefined {
  return has("initdb") && has("pg_ctl") ? undefined : "no initdb / pg_ctl on this machine (PostgreSQL not installed)";
}

/**
 * The machine's own PostgreSQL (initdb + pg_ctl) in a temporary folder on a free port, trust authentication on
 * loopback, as `.ci/with-system-postgres.sh` starts it. As root the server runs as the `postgres` system user.
 */
export async function startSystemPostgres(): Promise<SystemPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), "paysign-prod-pg-"));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const root = process.getuid?.() === 0;
  const asPostgres = (command: string, args: string[]) => {
    if (!root) return execFileSync(command, args, { stdio: "pipe" });
    return execFileSync("runuser", ["-u", "postgres", "--", command, ...args], { stdio: "pipe" });
  };
  if (root) {
    if (spawnSync("id", ["postgres"], { stdio: "ignore" }).status !== 0)
      execFileSync("useradd", ["--system", "--user-group", "postgres"]);
    execFileSync("chown", ["postgres", dir]);
  }
  const data = path.join(dir, "data");
  asPostgres("initdb", ["-D", data, "-U", "postgres", "--auth=trust"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  asPostgres("pg_ctl", ["-D", data, "-o", options, "-l", path.join(dir, "log"), "-w", "start"]);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      asPostgres("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
