import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect, inject } from "vitest";
import { scanLogs } from "./secrets.ts";
import type { Stack } from "./stack.ts";

/** This scenario's API output holds none of the secrets it handled (the whole-suite check runs at the end). */
export function assertLogsClean(stack: Stack): void {
  const result = scanLogs(
    [{ name: `${stack.name}.api.log`, text: stack.api.lines.join("\n") }],
    [...stack.secrets].map(([value, label]) => ({ label, value })),
  );
  expect(result.lines).toBeGreaterThan(0);
  expect(result.leaks.map((leak) => `${leak.label} at line ${leak.line}: ${leak.excerpt}`)).toEqual([]);
}

/**
 * On a failure, the API's last lines say what it was doing; the whole log is kept (the suite's teardown leaves the
 * log folder in place when a scenario marked itself failed).
 */
export function dumpApiLog(stack: Stack | undefined, lines = 60): void {
  if (!stack) return;
  const logDir = inject("reliabilityLogDir");
  writeFileSync(path.join(logDir, `${stack.name}.failed`), "");
  console.log(
    `--- last ${lines} lines of the ${stack.name} API log (all of it: ${path.join(logDir, `${stack.name}.api.log`)}) ---\n` +
      stack.api.lines.slice(-lines).join("\n"),
  );
}
