import { admin, expectStatus } from "./api.ts";
import { round } from "./results.ts";
import type { BenchStack } from "./stack.ts";

/** Per batched statement (notify_read, notify_write): its batches, their items and their wall seconds so far. */
export type StatementBatchTotals = Map<string, { batches: number; items: number; seconds: number }>;

const series = /^paysign_statement_batch_(size_count|size_sum|duration_seconds_sum)\{statement="([a-z_]+)"\} (\S+)$/gm;

/** The API's batch histograms as `GET /metrics` (with the admin key) shows them now. */
export async function statementBatchTotals(stack: BenchStack): Promise<StatementBatchTotals> {
  const { text } = await expectStatus(admin(stack, "/metrics"), 200, "GET /metrics");
  const totals: StatementBatchTotals = new Map();
  for (const [, kind, statement = "", value] of text.matchAll(series)) {
    const entry = totals.get(statement) ?? { batches: 0, items: 0, seconds: 0 };
    if (kind === "size_count") entry.batches = Number(value);
    if (kind === "size_sum") entry.items = Number(value);
    if (kind === "duration_seconds_sum") entry.seconds = Number(value);
    totals.set(statement, entry);
  }
  return totals;
}

/**
 * The batches made between two readings, per statement: how many (`<statement>_batches`), the items they carried
 * (`<statement>_items`), their mean size in items (`<statement>_mean_size`) and their statement's mean wall time in ms
 * (`<statement>_mean_ms`, from dispatch to its answer).
 */
export function statementBatchesBetween(
  before: StatementBatchTotals,
  after: StatementBatchTotals,
): Record<string, number> {
  const between: Record<string, number> = {};
  for (const [statement, end] of after) {
    const start = before.get(statement) ?? { batches: 0, items: 0, seconds: 0 };
    const batches = end.batches - start.batches;
    if (batches <= 0) continue;
    const items = end.items - start.items;
    between[`${statement}_batches`] = batches;
    between[`${statement}_items`] = items;
    between[`${statement}_mean_size`] = round(items / batches);
    between[`${statement}_mean_ms`] = round(((end.seconds - start.seconds) * 1000) / batches);
  }
  return between;
}
