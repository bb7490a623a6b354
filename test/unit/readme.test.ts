import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, posix } from "node:path";
import { REPO_ROOT, markdownPages, outdated } from "../../scripts/docs-tables.ts";

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), "utf8");

/** README.md and every page of docs/, the generated key lists included. */
const allPages = (): string[] => [
  "README.md",
  ...readdirSync(join(REPO_ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
];

/** The page's prose: fenced code blocks blanked out, so that neither their links nor their `#` lines count. */
function prose(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
}

/** The anchors GitHub gives the page's headings: lower case, punctuation dropped, spaces to dashes, -1 for repeats. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(text).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const heading = m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n ? `${slug}-${n}` : slug);
  }
  return out;
}

/** The page's relative link targets (no scheme), resolved from the repository root, with their anchors. */
function links(page: string): { href: string; path: string; anchor: string | undefined }[] {
  const text = prose(read(page)).replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href))
    .map((href) => {
      const [file, anchor] = href.split("#") as [string, string | undefined];
      return { href, path: file ? posix.normalize(posix.join(posix.dirname(page), file)) : page, anchor };
    });
}

test("the generated tables of the docs pages and docs/keys-<version>.md are up to date", () => {
  assert.deepEqual(outdated(), [], "run `npm run docs`");
});

test("the README stays a newcomer's page: at most 200 lines", () => {
  const lines = read("README.md").split("\n").length - 1;
  assert.ok(lines <= 200, `README.md has ${lines} lines; move the detail to a page in docs/`);
});

test("the README links every hand-written page of docs/", () => {
  const linked = new Set(links("README.md").map((l) => l.path));
  const pages = markdownPages().filter((p) => p !== "README.md");
  assert.ok(pages.length > 0, "docs/ has pages");
  assert.deepEqual(
    pages.filter((p) => !linked.has(p)),
    [],
    "pages the README does not link",
  );
});

test("every relative link of the README and the docs pages reaches a file, and its anchor a heading there", () => {
  const broken: string[] = [];
  for (const page of allPages()) {
    for (const { href, path, anchor } of links(page)) {
      if (!existsSync(join(REPO_ROOT, path))) broken.push(`${page}: ${href} (no ${path})`);
      else if (anchor !== undefined && path.endsWith(".md") && !anchors(read(path)).has(anchor))
        broken.push(`${page}: ${href} (no heading #${anchor} in ${path})`);
    }
  }
  assert.deepEqual(broken, []);
});

test("the repository paths and npm scripts the README and the docs pages name exist", () => {
  const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
  const missing: string[] = [];
  for (const page of markdownPages()) {
    const text = read(page);
    for (const m of text.matchAll(/npm run ([\w:-]+)/g))
      if (!(m[1]! in scripts)) missing.push(`${page}: npm run ${m[1]} (no such script in package.json)`);
    // Code spans that are a path in the repository (placeholders like <mode> and generated folders aside).
    for (const m of text.matchAll(/`(?:node )?((?:src|test|bench|compose|env|docker|docs|scripts|\.ci)\/[\w./-]*)`/g)) {
      if (!existsSync(join(REPO_ROOT, m[1]!))) missing.push(`${page}: ${m[1]} (no such file or folder)`);
    }
  }
  assert.deepEqual(missing, []);
});

test("docs/testcontainers.md holds the example packed-package.test.ts runs, naming its file on its first line", () => {
  const block = /<!-- testcontainers-example:start -->\n```js\n([\s\S]*?)```\n<!-- testcontainers-example:end -->/.exec(
    read("docs/testcontainers.md"),
  );
  assert.ok(block, "docs/testcontainers.md has the example between its testcontainers-example markers");
  assert.match(block[1]!, /^\/\/ \S+\.m?js\n/);
  assert.match(block[1]!, /from "rocketmq-appliance\/testcontainers"/);
  const runner = "test/testcontainers/packed-package.test.ts";
  assert.ok(
    existsSync(join(REPO_ROOT, runner)) && read(runner).includes('join(REPO_ROOT, "docs", "testcontainers.md")'),
    `${runner} reads the example from docs/testcontainers.md`,
  );
});
