import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createEmptyState, type SandboxState } from "./types.ts";

export type StateStore = {
  readonly state: SandboxState;
  /** Persists to the state file when one is configured; a no-op otherwise. */
  save(): void;
  reset(): void;
};

function loadState(stateFile: string | null): SandboxState {
  if (!stateFile || !existsSync(stateFile)) return createEmptyState();
  const parsed = JSON.parse(readFileSync(stateFile, "utf8")) as Partial<SandboxState>;
  return { ...createEmptyState(), ...parsed };
}

export function createStateStore(options: { stateFile: string | null }): StateStore {
  const { stateFile } = options;
  const state = loadState(stateFile);
  const save = () => {
    if (!stateFile) return;
    mkdirSync(path.dirname(stateFile), { recursive: true });
    const temporary = `${stateFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(state, null, 2));
    renameSync(temporary, stateFile);
  };
  return {
    state,
    save,
    reset() {
      Object.assign(state, createEmptyState());
      save();
    },
  };
}
