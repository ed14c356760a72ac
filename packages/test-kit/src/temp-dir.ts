import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { onTestFinished } from "vitest";

/** A temporary folder removed when the current test finishes; `open` lets a root-run PostgreSQL enter it. */
export function tempDir(prefix: string, options: { open?: boolean } = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (options.open) chmodSync(dir, 0o755);
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
