import { expect } from "vitest";
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

/** On a failure, the API's last lines say what it was doing. */
export function dumpApiLog(stack: Stack | undefined, lines = 60): void {
  if (!stack) return;
  console.log(`--- last ${lines} lines of the ${stack.name} API log ---\n${stack.api.lines.slice(-lines).join("\n")}`);
}
