import pg from "pg";
import { openDatabase } from "../src/database.ts";
import { migrate } from "../src/db/migrator.ts";
import { createDatabase } from "../src/db/prisma.ts";
import { seedDemoPlans } from "../src/db/seed.ts";
import { loadConfig } from "../src/env.ts";
import { createLogger } from "../src/logger.ts";

// Development only: drops every table of the database, migrates from scratch and seeds the demo plans.
const config = loadConfig(undefined, { secrets: false });
const logger = createLogger({ level: config.logLevel });
if (config.nodeEnv === "production") {
  logger.fatal("db:reset refuses to run with NODE_ENV=production: it deletes every row.");
  process.exit(1);
}
const database = await openDatabase(config, logger);
const client = new pg.Client({ connectionString: database.url });
await client.connect();
await client.query("DROP SCHEMA IF EXISTS pgboss CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
await client.end();
await migrate({ connectionString: database.url, log: (line) => logger.info(line) });
const db = createDatabase({ url: database.url, logger });
logger.info({ plans: await seedDemoPlans(db) }, "database reset and seeded");
await db.close();
await database.stop();
