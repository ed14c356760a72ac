export { createApp, type AppDeps } from "./app.ts";
export { loadConfig, devAdminApiKey, repoRoot, type Config } from "./env.ts";
export { createLogger, type Logger } from "./logger.ts";
export { startServer, type RunningServer } from "./server.ts";
export { migrate, readMigrations, MigrationError } from "./db/migrator.ts";
export { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded-postgres.ts";
export { createDatabase, type Database } from "./db/prisma.ts";
export { startDevStack, devBanner, type DevStack } from "./dev/dev-stack.ts";
