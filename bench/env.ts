/**
 * The only reader of process.env under bench/: what the benchmark's own knobs are, and the environment a stack
 * child process inherits.
 */

/** The parent's environment without anything that would point the stack at another database or app. */
export function childEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(inherited)) {
    if (name.startsWith("ALIPAY_") || name === "DATABASE_URL" || name === "SANDBOX_URL") delete inherited[name];
  }
  return { ...inherited, ...overrides };
}

/** The stack API process's own NODE_ENV (bench/stack-process.ts). */
export const processNodeEnv = (): string | undefined => process.env.NODE_ENV;

/**
 * The stack API process's environment with NODE_ENV=development: what its configuration is parsed from before
 * bench/stack-process.ts switches it to production in code.
 */
export const environmentParsedAsDevelopment = (): Record<string, string | undefined> => ({
  ...process.env,
  NODE_ENV: "development",
});

/**
 * The lanes of a scheduler run: DEDUCTION_CONCURRENCY as passed through to the stack, else the server's default of 8
 * (apps/server/src/env.ts, which refuses anything but a whole number from 1 to 64 at the stack's start).
 */
export const deductionLanes = (): number => {
  const lanes = Number(process.env.DEDUCTION_CONCURRENCY);
  return Number.isInteger(lanes) && lanes >= 1 ? lanes : 8;
};
