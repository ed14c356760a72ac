import DataLoader from "dataloader";

/** One item's share of a batched statement: its result, or what the statement threw when run for it alone. */
export type BatchedStatement<Item, Result> = (item: Item) => Promise<Result>;

/**
 * Group commit for one hot statement. `execute` gets a batch of items and answers one result per item, in their
 * order. The items asked for while `maxInFlight` batches are at the database wait, and go together as the next batch
 * (at most `maxBatchSize`): under load one round trip, one plan execution and one commit serve many items; an idle
 * server sends each item at once (after the current turn of the event loop).
 * DataLoader (graphql/dataloader) collects the items and hands each its result; this decides when a batch goes.
 * When a batch fails as a whole (one item's error), each of its items is run again alone, one after another, so an
 * item fails only by its own error.
 */
export function batchedStatement<Item, Result>(
  execute: (items: readonly Item[]) => Promise<Result[]>,
  options: { maxInFlight: number; maxBatchSize: number },
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
        return await executeOrIsolate(execute, items);
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

async function executeOrIsolate<Item, Result>(
  execute: (items: readonly Item[]) => Promise<Result[]>,
  items: readonly Item[],
): Promise<Array<Result | Error>> {
  try {
    const results = await execute(items);
    if (results.length !== items.length)
      throw new Error(`a batched statement answered ${results.length} results for ${items.length} items`);
    return results;
  } catch (error) {
    if (items.length === 1) return [asError(error)];
    // One after another, so the retry holds no more connections than the batch did.
    const results: Array<Result | Error> = [];
    for (const item of items) results.push(await executeAlone(execute, item));
    return results;
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
