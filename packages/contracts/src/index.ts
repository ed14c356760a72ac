export * from "./money.ts";
export * from "./time.ts";
export * from "./wire-formats.ts";
export * from "./domain/period-rule-checks.ts";
export * from "./domain/period-rule.ts";
export * from "./domain/agreement-status.ts";
export * from "./domain/alipay-agreement-status.ts";
