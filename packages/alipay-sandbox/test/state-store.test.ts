import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createStateStore, WRITE_DELAY_MS, writeDelayMs } from "../src/state/store.ts";
import type { NotificationRecord } from "../src/state/types.ts";

const freshFile = () => path.join(mkdtempSync(path.join(tmpdir(), "sandbox-store-")), "state.json");
const onDisk = (file: string) => JSON.parse(readFileSync(file, "utf8")) as { clockOffsetMs: number };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("state store", () => {
  it("writes a burst of changes once, within the write delay", async () => {
    const file = freshFile();
    const store = createStateStore({ stateFile: file });
    for (let offset = 1; offset <= 50; offset++) {
      store.state.clockOffsetMs = offset;
      store.save();
    }
    expect(existsSync(file)).toBe(false);
    await sleep(WRITE_DELAY_MS * 3);
    expect(onDisk(file).clockOffsetMs).toBe(50);
  });

  it("a state that is slow to write waits twenty times its last write before the next", () => {
    expect(writeDelayMs(0)).toBe(WRITE_DELAY_MS);
    expect(writeDelayMs(WRITE_DELAY_MS / 20)).toBe(WRITE_DELAY_MS);
    expect(writeDelayMs(35)).toBe(700);
  });

  it("flush writes pending changes at once", () => {
    const file = freshFile();
    const store = createStateStore({ stateFile: file });
    store.state.clockOffsetMs = 7;
    store.save();
    store.flush();
    expect(onDisk(file).clockOffsetMs).toBe(7);
  });

  it("a store opened on the same file sees every change, and the old one no longer writes", async () => {
    const file = freshFile();
    const first = createStateStore({ stateFile: file });
    first.state.clockOffsetMs = 11;
    first.save();
    const second = createStateStore({ stateFile: file });
    expect(second.state.clockOffsetMs).toBe(11);

    second.state.clockOffsetMs = 12;
    second.save();
    first.state.clockOffsetMs = 99;
    first.save();
    await sleep(WRITE_DELAY_MS * 3);
    expect(onDisk(file).clockOffsetMs).toBe(12);
  });

  it("pending changes are written when the process exits", () => {
    const file = freshFile();
    const store = path.resolve(import.meta.dirname, "../src/state/store.ts");
    const script = `
      import { createStateStore } from ${JSON.stringify(store)};
      const store = createStateStore({ stateFile: ${JSON.stringify(file)} });
      store.state.clockOffsetMs = 42;
      store.save();
      setTimeout(() => process.exit(0), 1);`;
    execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: path.resolve(import.meta.dirname, ".."),
    });
    expect(onDisk(file).clockOffsetMs).toBe(42);
  });

  it("writes each notification's attempts and delivery as they change, and the whole state as it is", () => {
    const file = freshFile();
    const store = createStateStore({ stateFile: file });
    const record = (notifyId: string): NotificationRecord => ({
      notifyId,
      notifyType: "trade_status_sync",
      url: "http://127.0.0.1:1/notify",
      params: { notify_id: notifyId },
      rawBody: `notify_id=${notifyId}`,
      attempts: [],
      delivered: false,
    });
    const [settled, retried] = [record("n1"), record("n2")];
    store.state.notifications.push(settled, retried);
    store.save();
    store.flush();

    settled.attempts.push({ at: "2026-12-01T00:00:00.000Z", httpStatus: 200, body: "success" });
    settled.delivered = true;
    retried.attempts.push({ at: "2026-12-01T00:00:00.000Z", httpStatus: 500, body: "" });
    store.state.clockOffsetMs = 5;
    store.save();
    store.flush();
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(JSON.parse(JSON.stringify(store.state)));

    retried.attempts.push({ at: "2026-12-01T00:00:01.000Z", httpStatus: 200, body: "success" });
    retried.delivered = true;
    store.save();
    store.flush();
    const reopened = createStateStore({ stateFile: file });
    expect(reopened.state.notifications.map((n) => [n.notifyId, n.attempts.length, n.delivered])).toEqual([
      ["n1", 1, true],
      ["n2", 2, true],
    ]);
    expect(reopened.state.clockOffsetMs).toBe(5);
  });

  it("without a state file nothing is written", () => {
    const store = createStateStore({ stateFile: null });
    store.save();
    store.flush();
    expect(store.state.clockOffsetMs).toBe(0);
  });
});
