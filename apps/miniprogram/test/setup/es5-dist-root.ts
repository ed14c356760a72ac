import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the `miniprogram-es5` run keeps its ES5 builds; removed after the run. */
    es5DistRoot: string;
  }
}

export default async function setup(project: TestProject) {
  const root = await mkdtemp(path.join(tmpdir(), "paysign-mini-es5-"));
  project.provide("es5DistRoot", root);
  return async () => {
    await rm(root, { recursive: true, force: true });
  };
}
