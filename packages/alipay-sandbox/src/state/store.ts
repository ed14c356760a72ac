import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createEmptyState, type NotificationRecord, type SandboxState } from "./types.ts";

export type StateStore = {
  readonly state: SandboxState;
  /**
   * Marks the state changed. With a state file, it is written WRITE_DELAY_MS after the first change of a burst (one
   * write for the burst) — longer for a large state, see writeDelayMs — and at the latest when the process exits or
   * another store opens the same file; a no-op otherwise.
   */
  save(): void;
  /** Writes pending changes now, synchronously (a clean shutdown calls it; exit and reopening do it anyway). */
  flush(): void;
  reset(): void;
};

/** How long changes may wait before they are written: rewriting the whole file per change bounded deductions. */
export const WRITE_DELAY_MS = 100;

/**
 * Each write rewrites the whole state, which grows with use: a state whose last write took `lastWriteMs` waits at
 * least twenty times as long before the next, so writing never takes more than about a twentieth of the process's
 * time (a state of thousands of trades and notifications took a third of it at a 100 ms delay; a tenth still took
 * 11 % of the sandbox's time while it answered a deductions run).
 */
export const writeDelayMs = (lastWriteMs: number): number => Math.max(WRITE_DELAY_MS, 20 * lastWriteMs);

type Writer = { flush(): void; retire(): void };

type SerializedRecord = { attempts: number; delivered: boolean; json: string };

/**
 * The state as JSON, each notification record's JSON reused while its attempts and delivery are unchanged (all that
 * changes of a sent record, see NotificationRecord): notifications are most of a state, and most are settled.
 */
function serializeState(state: SandboxState, cache: WeakMap<NotificationRecord, SerializedRecord>): string {
  const { notifications, ...rest } = state;
  const records = notifications.map((record) => {
    const cached = cache.get(record);
    if (cached && cached.attempts === record.attempts.length && cached.delivered === record.delivered) {
      return cached.json;
    }
    const json = JSON.stringify(record);
    cache.set(record, { attempts: record.attempts.length, delivered: record.delivered, json });
    return json;
  });
  return `${JSON.stringify(rest).slice(0, -1)},"notifications":[${records.join(",")}]}`;
}

/** Stores with unwritten changes (flushed on exit), and the store that owns each state file now. */
const dirtyWriters = new Set<Writer>();
const owners = new Map<string, Writer>();
let exitHookInstalled = false;

function flushAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // `exit` listeners run synchronously as the process ends (process.exit, the event loop draining).
  process.on("exit", () => {
    for (const writer of [...dirtyWriters]) writer.flush();
  });
}

function loadState(stateFile: string | null): SandboxState {
  if (!stateFile || !existsSync(stateFile)) return createEmptyState();
  const parsed = JSON.parse(readFileSync(stateFile, "utf8")) as Partial<SandboxState>;
  return { ...createEmptyState(), ...parsed };
}

export function createStateStore(options: { stateFile: string | null }): StateStore {
  const stateFile = options.stateFile ? path.resolve(options.stateFile) : null;
  // A restart in this process (close, then a new sandbox on the same file) reads everything the last one changed;
  // the last one no longer writes, so it can never overwrite the new one's state.
  if (stateFile) owners.get(stateFile)?.retire();
  const state = loadState(stateFile);

  let dirty = false;
  let retired = false;
  let timer: NodeJS.Timeout | undefined;
  let lastWriteMs = 0;
  const serialized = new WeakMap<NotificationRecord, SerializedRecord>();

  const write = () => {
    if (!stateFile) return;
    const started = performance.now();
    mkdirSync(path.dirname(stateFile), { recursive: true });
    const temporary = `${stateFile}.tmp`;
    writeFileSync(temporary, serializeState(state, serialized));
    renameSync(temporary, stateFile);
    lastWriteMs = performance.now() - started;
  };
  const writer: Writer = {
    flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (!dirty) return;
      dirty = false;
      dirtyWriters.delete(writer);
      try {
        write();
      } catch (error) {
        // Kept pending: the next change, flush or exit tries again.
        dirty = true;
        dirtyWriters.add(writer);
        throw error;
      }
    },
    retire() {
      writer.flush();
      retired = true;
      if (stateFile && owners.get(stateFile) === writer) owners.delete(stateFile);
    },
  };
  if (stateFile) owners.set(stateFile, writer);

  const save = () => {
    if (!stateFile || retired) return;
    dirty = true;
    dirtyWriters.add(writer);
    flushAllOnExit();
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      try {
        writer.flush();
      } catch (error) {
        console.error(`sandbox: the state file ${stateFile} could not be written; retrying on the next change`, error);
      }
    }, writeDelayMs(lastWriteMs));
    // A pending write never keeps the process alive: the exit hook writes it.
    timer.unref();
  };
  return {
    state,
    save,
    flush: () => writer.flush(),
    reset() {
      Object.assign(state, createEmptyState());
      save();
    },
  };
}
