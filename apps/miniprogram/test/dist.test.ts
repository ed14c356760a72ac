import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { defined } from "@paysign/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { pagesFor } from "../src/app-pages.ts";
import { directorySize } from "../scripts/build-mini-program.ts";
import { devConfig } from "./support/fixtures.ts";
import { launchMiniProgram } from "./support/mini-runtime.ts";

const root = path.resolve(import.meta.dirname, "..");
const TARGET_BYTES = 200 * 1024;
const RELEASE_TARGET_BYTES = 100 * 1024;
let realDir: string;

function build(args: string[]) {
  return execFileSync(process.execPath, ["--import", "tsx", "scripts/build.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    stdio: "pipe",
  });
}

async function jsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".js"))
    .map((e) => path.join(e.parentPath, e.name));
}

beforeAll(() => {
  realDir = path.join(tmpdir(), `paysign-mini-real-${process.pid}`);
  // Exactly `pnpm build` (development mode into dist/), and a real build as a release would make it.
  build([]);
  build(["--mode=real", "--api=https://api.example.com", `--outdir=${realDir}`]);
});

afterAll(async () => {
  await rm(realDir, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const builds = () => [
  { name: "development (dist/)", dir: path.join(root, "dist"), mode: "development" as const },
  { name: "real", dir: realDir, mode: "real" as const },
];

describe.each(["development (dist/)", "real"])("the %s build", (name) => {
  const current = () =>
    defined(
      builds().find((candidate) => candidate.name === name),
      `the ${name} build`,
    );

  test("app.json lists the mode's pages, and every page has its .axml, .js and .json", async () => {
    const { dir, mode } = current();
    const appJson = JSON.parse(await readFile(path.join(dir, "app.json"), "utf8")) as { pages: string[] };
    expect(appJson.pages).toEqual(pagesFor(mode));
    expect(existsSync(path.join(dir, "app.js"))).toBe(true);
    for (const page of appJson.pages) {
      for (const extension of [".axml", ".js", ".json"]) {
        expect(existsSync(path.join(dir, `${page}${extension}`)), `${page}${extension}`).toBe(true);
      }
    }
  });

  test("the scripts are self-contained and use nothing the mini program engines forbid", async () => {
    const { dir, mode } = current();
    for (const file of await jsFiles(dir)) {
      const text = await readFile(file, "utf8");
      const where = path.relative(dir, file);
      expect(text, where).not.toMatch(/\beval\s*\(/);
      expect(text, where).not.toMatch(/new\s+Function\b/);
      expect(text, where).not.toContain("globalThis");
      // No `new Date(` at all: calendar dates are read by hand (contracts time helpers); nothing parses an Alipay
      // `yyyy-MM-dd HH:mm:ss`, which iOS cannot. Should one ever be needed, check its argument here.
      expect(text.match(/new\s+Date\s*\(/g) ?? [], where).toEqual([]);
      expect(text, where).not.toMatch(/\brequire\s*\(|^\s*import\s|\bexport\s/m);
      expect(text, where).not.toContain("process.env");
      // Replaced by its JSON at build time (esbuild keeps a `// <define:…>` marker in unminified output).
      expect(text.replaceAll("// <define:__PAYSIGN_CONFIG__>", ""), where).not.toContain("__PAYSIGN_CONFIG__");
      expect(text, where).not.toMatch(/zod|ZodError/);
      expect(text, where).not.toMatch(/Object\.hasOwn\(|\.replaceAll\(|structuredClone\(/);
    }
    const agreementJs = await readFile(path.join(dir, "pages/agreement/index.js"), "utf8");
    expect(agreementJs).toContain(mode === "real" ? "https://api.example.com" : "http://127.0.0.1:3000");
  });

  test("its size is printed and stays under the 200 KB target", async () => {
    const { dir } = current();
    const bytes = await directorySize(dir);
    console.log(`mini program ${name} build: ${(bytes / 1024).toFixed(1)} KB (${bytes} bytes)`);
    expect(bytes).toBeLessThan(TARGET_BYTES);
  });
});

describe("the release build", () => {
  test("carries no development bridge: no /sandbox/ path, no web-view page, no sign relay", async () => {
    const files = await readdir(realDir, { withFileTypes: true, recursive: true });
    const names = files
      .filter((entry) => entry.isFile())
      .map((e) => path.relative(realDir, path.join(e.parentPath, e.name)));
    expect(names.filter((name) => name.includes("sign-webview"))).toEqual([]);
    for (const name of names) {
      const text = await readFile(path.join(realDir, name), "utf8");
      expect(text, name).not.toContain("/sandbox/");
      expect(text, name).not.toContain("web-view");
      expect(text, name).not.toContain("signRelay");
    }
  });

  test("its size is printed and stays under the 100 KB release target", async () => {
    const bytes = await directorySize(realDir);
    console.log(`mini program release build: ${(bytes / 1024).toFixed(1)} KB (${bytes} bytes)`);
    expect(bytes).toBeLessThan(RELEASE_TARGET_BYTES);
  });
});

describe("the project the Alipay IDE opens", () => {
  test("mini.project.json sits in apps/miniprogram and points the IDE at dist/", async () => {
    const project = JSON.parse(await readFile(path.join(root, "mini.project.json"), "utf8")) as Record<string, unknown>;
    expect(project).toMatchObject({ format: 2, compileType: "mini", miniprogramRoot: "dist" });
    expect(project.uploadExclude).toEqual(expect.arrayContaining(["src/**", "node_modules/**"]));
    expect(existsSync(path.join(root, "dist", "app.json"))).toBe(true);
  });

  test("every handler an axml names (onTap=, onMessage=…) exists on its page", async () => {
    const rt = await launchMiniProgram({ config: devConfig, http: () => ({ status: 200, body: { items: [] } }) });
    await rt.settle();
    for (const page of pagesFor("development")) {
      const axml = await readFile(path.join(root, "src", `${page}.axml`), "utf8");
      const handlers = [...axml.matchAll(/\bon[A-Z]\w*="([^"]+)"/g)].map((match) =>
        defined(match[1], `a handler name in ${page}.axml`),
      );
      expect(handlers.length, page).toBeGreaterThan(0);
      const options = await rt.pageOptions(page);
      for (const handler of handlers) expect(typeof options[handler], `${page}: ${handler}`).toBe("function");
    }
  });
});

test("accessibility: every tappable view is a button to screen readers, with a label", async () => {
  for (const page of pagesFor("development")) {
    const axml = await readFile(path.join(root, "src", `${page}.axml`), "utf8");
    const tappable = [...axml.matchAll(/<(\w[\w-]*)\b[^>]*\bon(?:Tap|LongTap)="[^"]*"[^>]*>/g)].filter(
      (match) => match[1] !== "button",
    );
    for (const [tag] of tappable) {
      expect(tag, page).toMatch(/\brole="button"/);
      expect(tag, page).toMatch(/\baria-label="[^"]+"/);
    }
  }
  const agreements = await readFile(path.join(root, "src/pages/agreements/index.axml"), "utf8");
  expect(agreements).toMatch(/<view[^>]*onTap="onOpenAgreement"/);
});

test("a real build refuses an http API and a missing one, with what to set", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "paysign-mini-bad-"));
  try {
    expect(() => build(["--mode=real", "--api=http://api.example.com", `--outdir=${dir}`])).toThrow(/https API/);
    expect(() => build(["--mode=real", `--outdir=${dir}`])).toThrow(/PAYSIGN_API_BASE_URL/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
