import { openDatabase } from "../src/database.ts";
import { createDatabaseClient } from "../src/db/prisma.ts";
import { seedDemoPlans } from "../src/db/seed.ts";
import { loadConfig } from "../src/env.ts";
import { createLogger } from "../src/logger.ts";

const config = loadConfig();
const logger = createLogger({ level: config.logLevel });
const database = await openDatabase(config, logger);
const db = createDatabaseClient({ url: database.url });
try {
  logger.info({ plans: await seedDemoPlans(db) }, "demo plans seeded");
} finally {
  await db.$disconnect();
  await database.stop();
}
