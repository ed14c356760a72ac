import { defineProject } from "vitest/config";
import { sharedProject } from "../vitest.shared.ts";

// Only the shape test of `pnpm bench` (a tiny run, no timing asserted); the benchmark itself is `pnpm bench`.
export default defineProject(sharedProject(import.meta.dirname));
