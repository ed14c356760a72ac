import { setImmediate as turn } from "node:timers/promises";
import { describe, expect, test } from "vitest";
import { batchedStatement, type StatementBatchReport } from "../src/db/statement-batches.ts";

/** A statement whose batches answer only when the test releases them, recording each batch it was given. */
function heldStatement(answer: (item: number) => string = (item) => `answer ${item}`) {
  const batches: number[][] = [];
  const releases: Array<() => void> = [];
  const execute = async (items: readonly number[]) => {
    batches.push([...items]);
    await new Promise<void>((resolve) => releases.push(resolve));
    return items.map(answer);
  };
  return { batches, execute, release: (batch: number) => releases[batch]?.() };
}

describe("batchedStatement", () => {
  test("an idle statement sends an item at once, alone, and answers it", async () => {
    const held = heldStatement();
    const run = batchedStatement(held.execute, { name: "test", maxInFlight: 1, maxBatchSize: 10 });
    const answer = run(1);
    await turn();
    expect(held.batches).toEqual([[1]]);
    held.release(0);
    expect(await answer).toBe("answer 1");
  });

  test("items asked for while the batches in flight are at the limit go together next, each with its own answer", async () => {
    const held = heldStatement();
    const run = batchedStatement(held.execute, { name: "test", maxInFlight: 2, maxBatchSize: 10 });
    const first = [run(1), run(2)];
    await turn();
    expect(held.batches).toEqual([[1, 2]]);
    const second = [run(3)];
    await turn();
    expect(held.batches).toEqual([[1, 2], [3]]);
    // Two batches in flight: these wait, and leave together when one of them answers.
    const waiting = [run(4), run(5), run(6)];
    await turn();
    expect(held.batches).toHaveLength(2);
    held.release(1);
    expect(await Promise.all(second)).toEqual(["answer 3"]);
    await turn();
    expect(held.batches).toEqual([[1, 2], [3], [4, 5, 6]]);
    held.release(0);
    held.release(2);
    expect(await Promise.all([...first, ...waiting])).toEqual([
      "answer 1",
      "answer 2",
      "answer 4",
      "answer 5",
      "answer 6",
    ]);
  });

  test("no batch is larger than maxBatchSize", async () => {
    const held = heldStatement();
    const run = batchedStatement(held.execute, { name: "test", maxInFlight: 4, maxBatchSize: 2 });
    const answers = [1, 2, 3, 4, 5].map((item) => run(item));
    await turn();
    expect(held.batches).toEqual([[1, 2], [3, 4], [5]]);
    [0, 1, 2].forEach((batch) => held.release(batch));
    expect(await Promise.all(answers)).toHaveLength(5);
  });

  test("a batch that fails as a whole is run again item by item, one after another: only the item at fault fails, with its own error", async () => {
    const batches: number[][] = [];
    let running = 0;
    let mostRunning = 0;
    const run = batchedStatement(
      async (items: readonly number[]) => {
        batches.push([...items]);
        mostRunning = Math.max(mostRunning, ++running);
        await turn();
        running -= 1;
        if (items.includes(2)) throw new Error(`item 2 cannot be written (batch of ${items.length})`);
        return items.map((item) => item * 10);
      },
      { name: "test", maxInFlight: 1, maxBatchSize: 10 },
    );
    const answers = await Promise.allSettled([run(1), run(2), run(3)]);
    expect(batches).toEqual([[1, 2, 3], [1], [2], [3]]);
    // One after another: the retry holds no more connections than the batch did.
    expect(mostRunning).toBe(1);
    expect(answers).toEqual([
      { status: "fulfilled", value: 10 },
      { status: "rejected", reason: new Error("item 2 cannot be written (batch of 1)") },
      { status: "fulfilled", value: 30 },
    ]);
  });

  test("a statement that answers fewer results than items fails each item, never answers one with another's result", async () => {
    const run = batchedStatement((items: readonly number[]) => Promise.resolve(items.slice(1)), {
      name: "test",
      maxInFlight: 1,
      maxBatchSize: 10,
    });
    const answers = await Promise.allSettled([run(1), run(2)]);
    expect(answers.map((answer) => answer.status)).toEqual(["rejected", "rejected"]);
  });

  test("report hears of each batch once its items' results are known: its name, size and statement time, and the error of a batch that failed as a whole", async () => {
    const reports: StatementBatchReport[] = [];
    const run = batchedStatement(
      async (items: readonly number[]) => {
        await turn();
        if (items.includes(2)) throw new Error("item 2 cannot be written");
        return [...items];
      },
      { name: "notify_write", maxInFlight: 1, maxBatchSize: 10, report: (batch) => reports.push(batch) },
    );
    await Promise.allSettled([run(1), run(3)]);
    await Promise.allSettled([run(4), run(2)]);
    await Promise.allSettled([run(2)]);

    expect(reports.map(({ statement, size, error }) => ({ statement, size, error: error?.message }))).toEqual([
      { statement: "notify_write", size: 2, error: undefined },
      { statement: "notify_write", size: 2, error: "item 2 cannot be written" },
      // Alone, the item's error is its own, and its caller hears it: not a batch failure.
      { statement: "notify_write", size: 1, error: undefined },
    ]);
    for (const report of reports) expect(report.seconds).toBeGreaterThan(0);
  });

  test("a report that throws changes no answer: each item still gets its own result", async () => {
    const run = batchedStatement((items: readonly number[]) => Promise.resolve(items.map((item) => item * 10)), {
      name: "notify_write",
      maxInFlight: 1,
      maxBatchSize: 10,
      report: () => {
        throw new TypeError("Value is not a valid number");
      },
    });
    expect(await Promise.all([run(1), run(2), run(3)])).toEqual([10, 20, 30]);
  });
});
