import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";

/**
 * Every citation in the repository can be followed by someone who cloned it: `<path>.md §<section>` names a tracked
 * file (from the repository root, or from the citing file's folder) with a heading of that section, and a bare `§n` in
 * a `.ts` file names a section of the protocol doc (CODE_STYLE.md, Comments).
 */

const root = path.resolve(import.meta.dirname, "../../..");
const protocolDoc = "docs/alipay-protocol.md";
const scannedExtensions = [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".md"];

const section = String.raw`(?:[A-Z](?:\.\d+)+|\d+(?:\.\d+)*)`;
/** A path ending in `.md`, `§` and a section; then more sections after `,` `/` `and` `or`, or a range after `–`. */
const fileCitation = new RegExp(
  String.raw`(?<![\w./-])((?:[\w.-]+/)*[\w-]+\.md)\s*§\s*(${section})((?:\s*(?:,|/|and|or)\s*§\s*${section}|\s*[–—-]\s*§?\s*${section})*)`,
  "g",
);
const sectionInList = new RegExp(section, "g");
const bareSection = new RegExp(String.raw`§\s*(${section})`, "g");
const heading = new RegExp(String.raw`^#{1,6}\s+§?(${section})(?=[.:)\s])`, "gm");

interface Citation {
  file: string;
  line: number;
  text: string;
  doc: string;
  sections: string[];
}

function trackedFiles(): string[] {
  try {
    return execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
  } catch {
    // Not a git checkout (an unpacked archive): every file but dependencies and build output.
    const skipped = new Set(["node_modules", "dist", ".data", ".git", ".turbo"]);
    const walk = (dir: string): string[] =>
      readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
        if (skipped.has(entry.name)) return [];
        const relative = dir ? `${dir}/${entry.name}` : entry.name;
        return entry.isDirectory() ? walk(relative) : [relative];
      });
    return walk("");
  }
}

const files = trackedFiles();
const fileSet = new Set(files);
const scanned = files.filter((file) => scannedExtensions.includes(path.extname(file)));

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

/** Citations of `text` (the content of `file`); `bare` receives the `§n` that belong to no named file. */
function citationsIn(file: string, text: string, bare: Citation[]): Citation[] {
  const found: Citation[] = [];
  const covered: Array<[number, number]> = [];
  for (const match of text.matchAll(fileCitation)) {
    const [whole, doc = "", first = "", rest = ""] = match;
    const sections = [first, ...(rest.match(sectionInList) ?? [])];
    found.push({ file, line: lineOf(text, match.index), text: whole, doc, sections });
    covered.push([match.index, match.index + whole.length]);
  }
  if (/\.[mc]?tsx?$/.test(file)) {
    for (const match of text.matchAll(bareSection)) {
      if (covered.some(([start, end]) => match.index >= start && match.index < end)) continue;
      const sections = [match[1] ?? ""];
      // `§11.3–11.7`: the end of a bare range is a section too.
      const range = new RegExp(String.raw`^\s*[–—]\s*§?\s*(${section})`).exec(
        text.slice(match.index + match[0].length),
      );
      if (range?.[1]) sections.push(range[1]);
      bare.push({ file, line: lineOf(text, match.index), text: match[0], doc: protocolDoc, sections });
    }
  }
  return found;
}

/** The tracked doc a citation names, or undefined. */
function resolveDoc(citingFile: string, doc: string): string | undefined {
  const candidates = [path.posix.normalize(doc), path.posix.join(path.posix.dirname(citingFile), doc)];
  return candidates.find((candidate) => fileSet.has(candidate));
}

const headingsCache = new Map<string, Set<string>>();
function headingsOf(doc: string): Set<string> {
  let headings = headingsCache.get(doc);
  if (!headings) {
    const text = readFileSync(path.join(root, doc), "utf8");
    headings = new Set([...text.matchAll(heading)].map((match) => match[1] ?? ""));
    headingsCache.set(doc, headings);
  }
  return headings;
}

/** One line per citation that cannot be followed. */
function brokenCitations(citations: Citation[]): string[] {
  const broken: string[] = [];
  for (const citation of citations) {
    const where = `${citation.file}:${citation.line} "${citation.text}"`;
    const doc = resolveDoc(citation.file, citation.doc);
    if (!doc) {
      broken.push(`${where}: ${citation.doc} is not a file of the repository`);
      continue;
    }
    const missing = citation.sections.filter((cited) => !headingsOf(doc).has(cited));
    if (missing.length > 0) broken.push(`${where}: ${doc} has no section ${missing.map((s) => `§${s}`).join(", ")}`);
  }
  return broken;
}

const bareCitations: Citation[] = [];
const fileCitations = scanned.flatMap((file) =>
  citationsIn(file, readFileSync(path.join(root, file), "utf8"), bareCitations),
);

describe("citations of the repository's docs", () => {
  test("the scan finds the citations (a broken pattern would pass everything)", () => {
    expect(scanned.length).toBeGreaterThan(100);
    const docs = new Set(fileCitations.map((citation) => resolveDoc(citation.file, citation.doc)));
    expect(docs).toContain(protocolDoc);
    expect(docs).toContain("docs/product.md");
    expect(headingsOf(protocolDoc)).toContain("11.11");
    expect(headingsOf(protocolDoc)).toContain("14.3");
  });

  test("every `<file>.md §<section>` names a tracked file that has that section", () => {
    expect(brokenCitations(fileCitations)).toEqual([]);
  });

  test(`every bare §n in a .ts file is a section of ${protocolDoc}`, () => {
    expect(brokenCitations(bareCitations)).toEqual([]);
  });

  test("a citation of a missing file or a missing section is reported", () => {
    // Built from parts so that this file's own text holds no broken citation.
    const s = "§";
    const bare: Citation[] = [];
    const planted = citationsIn(
      "apps/x.ts",
      `// docs/alipay-protocol.md ${s}8, ${s}99.1; nowhere.md ${s}1; ${s}1.7–1.99`,
      bare,
    );
    expect(brokenCitations([...planted, ...bare])).toEqual([
      `apps/x.ts:1 "docs/alipay-protocol.md ${s}8, ${s}99.1": docs/alipay-protocol.md has no section ${s}99.1`,
      `apps/x.ts:1 "nowhere.md ${s}1": nowhere.md is not a file of the repository`,
      `apps/x.ts:1 "${s}1.7": docs/alipay-protocol.md has no section ${s}1.99`,
    ]);
  });
});
