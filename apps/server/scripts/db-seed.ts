import { openDatabase } from "../src/database.ts";
import { createDatabase } from "../src/db/prisma.ts";
import { seedDemoPlans } from "../src/db/seed.ts";
import { loadConfig } from "../src/env.ts";
import { createLogger } from "../src/logger.ts";

const config = loadConfig(undefined, { secrets: false });
const logger = createLogger({ level: config.logLevel });
const database = await openDatabase(config, logger);
const db = createDatabase({ url: database.url, logger });
try {
  logger.info({ plans: await seedDemoPlans(db) }, "demo plans seeded");
} finally {
  await db.close();
  await database.stop();
}
