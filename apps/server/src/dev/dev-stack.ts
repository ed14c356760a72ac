import type { Config } from "../env.ts";
import { createDatabaseClient } from "../db/prisma.ts";
import { seedDemoPlans } from "../db/seed.ts";
import type { Logger } from "../logger.ts";
import { startServer } from "../server.ts";

export type DevStack = {
  apiUrl: string;
  databaseUrl: string;
  embeddedDatabase: boolean;
  adminApiKey: string;
  seededPlans: number;
  stop(): Promise<void>;
};

/** Everything `pnpm dev` runs, in one process: database (embedded unless DATABASE_URL), migrations, seed, API. */
export async function startDevStack(config: Config, logger: Logger): Promise<DevStack> {
  const server = await startServer(config, logger);
  const db = createDatabaseClient({ url: server.databaseUrl, poolSize: 1 });
  try {
    const seededPlans = await seedDemoPlans(db);
    return {
      apiUrl: server.url,
      databaseUrl: server.databaseUrl,
      embeddedDatabase: server.embeddedDatabase,
      adminApiKey: config.adminApiKey,
      seededPlans,
      stop: server.stop,
    };
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    await db.$disconnect();
  }
}

export function devBanner(stack: DevStack, dataDir: string): string {
  const database = stack.embeddedDatabase
    ? `embedded PostgreSQL, data in ${dataDir}/postgres (${redactPassword(stack.databaseUrl)})`
    : redactPassword(stack.databaseUrl);
  return [
    "",
    "  paysign is running",
    "",
    `  API          ${stack.apiUrl}`,
    `  Health       ${stack.apiUrl}/healthz   ${stack.apiUrl}/readyz`,
    `  Database     ${database}`,
    `  Admin key    ${stack.adminApiKey}   (header x-admin-key)`,
    `  Demo plans   ${stack.seededPlans} seeded`,
    "",
    `  Next: curl ${stack.apiUrl}/readyz`,
    "  Ctrl-C stops everything; data stays for the next run.",
    "",
  ].join("\n");
}

function redactPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
