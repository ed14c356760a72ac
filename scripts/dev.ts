import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createLogger, loadConfig, repoRoot } from "@paysign/server";
import { devBanner, startDevStack, type DevStack } from "./dev-stack/dev-stack.ts";

// `pnpm dev`: the whole stack on embedded defaults — sandbox, database, API (in this process) and the mini program
// built in watch mode for the local API (a child process). The banner says where everything is.

function watchMiniProgram(stack: DevStack): ChildProcess {
  const args = ["--import", "tsx", "scripts/build.ts", "--watch", "--mode=development", `--api=${stack.apiUrl}`];
  if (stack.sandboxUrl) args.push(`--sandbox=${stack.sandboxUrl}`);
  // Tests point the build elsewhere so they never race the mini program's own dist/.
  if (process.env.PAYSIGN_MINI_OUTDIR) args.push(`--outdir=${process.env.PAYSIGN_MINI_OUTDIR}`);
  const child = spawn(process.execPath, args, {
    cwd: path.join(repoRoot, "apps", "miniprogram"),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split("\n")
      .filter(Boolean)
      .map((line) => `  [mini program] ${line}\n`)
      .join("");
  child.stdout?.on("data", (chunk: Buffer) => process.stdout.write(prefix(chunk)));
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  return child;
}

/** The console's Vite dev server (hot reload) on CONSOLE_PORT, forwarding /admin/v1 to the API (a child process). */
function serveConsole(stack: DevStack, port: number): ChildProcess {
  const consoleRoot = path.join(repoRoot, "apps", "console");
  const child = spawn(process.execPath, [path.join(consoleRoot, "node_modules", "vite", "bin", "vite.js")], {
    cwd: consoleRoot,
    env: { ...process.env, CONSOLE_PORT: String(port), CONSOLE_API_URL: stack.apiUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => `  [console] ${line}\n`)
      .join("");
  child.stdout?.on("data", (chunk: Buffer) => process.stdout.write(prefix(chunk)));
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  return child;
}

try {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const stack = await startDevStack(config, logger);
  const miniProgram = watchMiniProgram(stack);
  const consolePort = Number(process.env.CONSOLE_PORT ?? "5173");
  const consoleServer = serveConsole(stack, consolePort);
  process.stdout.write(devBanner(stack, config.dataDir, `http://127.0.0.1:${consolePort}/console/`) + "\n");
  let stopping = false;
  const stop = () => {
    if (stopping) {
      // A second Ctrl-C quits at once; the embedded PostgreSQL child still gets its SIGINT on the way out.
      process.stdout.write("\n  paysign quit before its shutdown finished\n");
      process.exit(130);
    }
    stopping = true;
    process.stdout.write("\n  stopping paysign… (Ctrl-C again to quit at once)\n");
    miniProgram.kill("SIGTERM");
    consoleServer.kill("SIGTERM");
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (error) {
  process.stderr.write(`\n  paysign could not start: ${error instanceof Error ? error.message : String(error)}\n\n`);
  process.exit(1);
}
