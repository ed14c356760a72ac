import DataLoader from "dataloader";

/** One item's share of a batched statement: its result, or what the statement threw when run for it alone. */
export type BatchedStatement<Item, Result> = (item: Item) => Promise<Result>;

/**
 * One batch as it went: the statement's name, how many items it carried, the wall time in seconds of its statement
 * (from its dispatch to its answer or its failure; a failed batch's items run again alone are not counted), and
 * `error` when a batch of more than one item failed as a whole and its items were run again alone.
 */
export type StatementBatchReport = { statement: string; size: number; seconds: number; error?: Error };

/**
 * Group commit for one hot statement. `execute` gets a batch of items and answers one result per item, in their
 * order. The items asked for while `maxInFlight` batches are at the database wait, and go together as the next batch
 * (at most `maxBatchSize`): under load one round trip, one plan execution and one commit serve many items; an idle
 * server sends each item at once (after the current turn of the event loop).
 * DataLoader (graphql/dataloader) collects the items and hands each its result; this decides when a batch goes.
 * When a batch fails as a whole (one item's error), each of its items is run again alone, one after another, so an
 * item fails only by its own error. `report`, when given, hears of every batch once its items' results are known,
 * before they are handed out; should it throw, its error is dropped and every answer stays as it was.
 */
export function batchedStatement<Item, Result>(
  execute: (items: readonly Item[]) => Promise<Result[]>,
  options: {
    name: string;
    maxInFlight: number;
    maxBatchSize: number;
    report?: ((batch: StatementBatchReport) => void) | undefined;
  },
): BatchedStatement<Item, Result> {
  let inFlight = 0;
  const scheduled: Array<() => void> = [];
  const dispatchWhatFits = () => {
    while (inFlight < options.maxInFlight) {
      const dispatch = scheduled.shift();
      if (!dispatch) return;
      dispatch();
    }
  };
  const loader = new DataLoader<Item, Result>(
    async (items) => {
      inFlight += 1;
      try {
        const { results, seconds, error } = await executeOrIsolate(execute, items);
        try {
          options.report?.({ statement: options.name, size: items.length, seconds, ...(error ? { error } : {}) });
        } catch {
          // Observing a batch never changes its answers: the statement ran, and its items hear how it went.
        }
        return results;
      } finally {
        inFlight -= 1;
        dispatchWhatFits();
      }
    },
    {
      cache: false,
      maxBatchSize: options.maxBatchSize,
      batchScheduleFn: (dispatch) => {
        scheduled.push(dispatch);
        setImmediate(dispatchWhatFits);
      },
    },
  );
  return (item) => loader.load(item);
}

/**
 * The items' results, the seconds the batch's statement took, and the batch's error when it failed as a whole and its
 * items were run again alone.
 */
async function executeOrIsolate<Item, Result>(
  execute: (items: readonly Item[]) => Promise<Result[]>,
  items: readonly Item[],
): Promise<{ results: Array<Result | Error>; seconds: number; error?: Error }> {
  const started = performance.now();
  const secondsSinceStart = () => (performance.now() - started) / 1000;
  try {
    const results = await execute(items);
    if (results.length !== items.length)
      throw new Error(`a batched statement answered ${results.length} results for ${items.length} items`);
    return { results, seconds: secondsSinceStart() };
  } catch (error) {
    const seconds = secondsSinceStart();
    // An item alone fails by its own error, which its caller hears.
    if (items.length === 1) return { results: [asError(error)], seconds };
    // One after another, so the retry holds no more connections than the batch did.
    const results: Array<Result | Error> = [];
    for (const item of items) results.push(await executeAlone(execute, item));
    return { results, seconds, error: asError(error) };
  }
}

async function executeAlone<Item, Result>(
  execute: (items: readonly Item[]) => Promise<Result[]>,
  item: Item,
): Promise<Result | Error> {
  try {
    const results = await execute([item]);
    if (results.length !== 1) throw new Error(`a batched statement answered ${results.length} results for 1 item`);
    return results[0] as Result;
  } catch (error) {
    return asError(error);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
