import { openDatabase } from "../src/database.ts";
import { createDatabase } from "../src/db/prisma.ts";
import { seedDemoPlans } from "../src/db/seed.ts";
import { loadConfig } from "../src/env.ts";
import { createLogger } from "../src/logger.ts";

// Demo plans are for development and the demo. A production database gets its plans from the admin API (README,
// "Going to production"); seeding one needs the explicit flag.
const productionFlag = "--demo-plans-in-production";

const config = loadConfig(undefined, { secrets: false });
const logger = createLogger({ level: config.logLevel });
if (config.nodeEnv === "production" && !process.argv.includes(productionFlag)) {
  process.stderr.write(
    "db:seed refuses to insert the demo plans into a production database: create your plans with " +
      `POST /admin/v1/plans (README, "Going to production"), or pass ${productionFlag} if you really want them.\n`,
  );
  process.exit(1);
}
const database = await openDatabase(config, logger);
const db = createDatabase({ url: database.url, logger });
try {
  logger.info({ plans: await seedDemoPlans(db) }, "demo plans seeded");
} finally {
  await db.close();
  await database.stop();
}
