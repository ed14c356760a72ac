import { pingDatabase } from "../db/prisma.ts";
import type { ServiceDeps } from "./deps.ts";

/** Readiness: the database answers. */
export function isDatabaseReady(deps: Pick<ServiceDeps, "db">): Promise<boolean> {
  return pingDatabase(deps.db);
}
