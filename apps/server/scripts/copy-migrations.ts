import { cpSync, rmSync } from "node:fs";
import path from "node:path";

// Part of `build`: the migrations travel with the compiled server (dist/migrations), see src/db/migrator.ts.
const serverDir = path.resolve(import.meta.dirname, "..");
const target = path.join(serverDir, "dist", "migrations");
rmSync(target, { recursive: true, force: true });
cpSync(path.resolve(serverDir, "../../prisma/migrations"), target, { recursive: true });
