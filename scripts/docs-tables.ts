// Writes the generated tables of the docs pages and docs/keys-<version>.md from the catalogue and the appliance's
// variable definitions, so that no table is typed by hand.
//
//   npm run docs               rewrites each block between <!-- generated:NAME --> and <!-- /generated:NAME --> in
//                              the page BLOCK_PAGES names, and docs/keys-<version>.md for every catalogue
//   npm run docs -- --check    changes nothing; exits 1 naming each block or file that is out of date
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ROLES, loadCatalogueFile, rolesOf, supportedVersions, upperSnake, type KeySpec, type Role } from "../src/catalogue/catalogue.ts";
import { CONF_FILE_NAME } from "../src/configurator/file-names.ts";
import {
  ADVERTISED_ADDRESS_KEY,
  APPLIANCE_DEFAULTS,
  CONTAINER_SCHEMA,
  CONTAINER_VARIABLE_SUMMARIES,
  KEY_VARIABLES,
  defaultConfFile,
  prefixOf,
} from "../src/configurator/variables.ts";
import { DEFAULT_ROCKETMQ_VERSION } from "../src/images/versions.ts";
import { CONSOLE_SCHEMA, CONSOLE_VARIABLE_SUMMARIES } from "../src/console/config.ts";
import { AUTH_SCHEMA, AUTH_VARIABLE_SUMMARIES } from "../src/configurator/auth.ts";
import { BOOTSTRAP_SCHEMA, BOOTSTRAP_VARIABLE_SUMMARIES } from "../src/bootstrap/command.ts";
import { TLS_SCHEMA, TLS_VARIABLE_SUMMARIES } from "../src/configurator/tls.ts";
import { readResult, type BenchName, type BenchResult } from "../bench/results.ts";
import { assessTargets } from "../bench/targets.ts";
import { CLUSTER_MODES } from "../src/testcontainers/modes.ts";

export const REPO_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const DOCS_DIR = join(REPO_ROOT, "docs");

export const BLOCK_NAMES = [
  "variables",
  "keys",
  "versions",
  "console",
  "figures-targets",
  "figures-images",
  "figures-testcontainers",
  "figures-console",
  "figures-health",
  "figures-boot",
  "figures-throughput",
  "figures-throughput-paths",
  "figures-slave-sync",
  "figures-chaos",
  "figures-chaos-summary",
] as const;
export type BlockName = (typeof BLOCK_NAMES)[number];

/** The page each block lives in, relative to the repository root. A block's links are relative to its page. */
export const BLOCK_PAGES: Record<BlockName, string> = {
  variables: "docs/configuration.md",
  keys: "docs/configuration.md",
  versions: "docs/configuration.md",
  console: "docs/console.md",
  "figures-targets": "docs/performance.md",
  "figures-images": "docs/development.md",
  "figures-testcontainers": "docs/testcontainers.md",
  "figures-console": "docs/console.md",
  "figures-health": "docs/performance.md",
  "figures-boot": "docs/performance.md",
  "figures-throughput": "docs/performance.md",
  "figures-throughput-paths": "docs/performance.md",
  "figures-slave-sync": "docs/operations.md",
  "figures-chaos": "docs/operations.md",
  "figures-chaos-summary": "README.md",
};

/** The hand-written pages that may hold blocks: README.md and docs/*.md, except the generated key lists. */
export function markdownPages(root: string = REPO_ROOT): string[] {
  const dir = join(root, "docs");
  const docs = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".md") && !/^keys-.+\.md$/.test(f))
        .sort()
        .map((f) => `docs/${f}`)
    : [];
  return ["README.md", ...docs];
}

const ROLE_TITLE: Record<Role, string> = { broker: "broker", namesrv: "name server", proxy: "proxy" };

// ---------------------------------------------------------------------------------------------------------
// Markdown helpers

/** A table cell: `|` escaped (also inside code spans, as GitHub's tables need), line breaks flattened. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

/** A code span that survives backticks in the value. */
function code(text: string): string {
  if (!text.includes("`")) return `\`${text}\``;
  return `\`\` ${text} \`\``;
}

/** `a`, `a and b`, `a, b and c`. */
function list(items: string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

function byName(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------
// Cells derived from the catalogue

/** Enum values (plus "or an int" where RocketMQ also takes a number), else the type. */
function allowedCell(spec: KeySpec): string {
  if (spec.enum) {
    const values = spec.enum.map(code).join(", ");
    const others = (spec.types ?? []).filter((t) => t !== "string");
    return others.length ? `${values}, or ${others.map((t) => `an ${t}`).join(" or ")}` : values;
  }
  return spec.types ? spec.types.join(" or ") : spec.type;
}

/**
 * RocketMQ's default as the catalogue records it: `${hostname}` and the like as-is, null and "" as empty.
 * `full` (the docs files) also shows per-class defaults where the classes disagree, and "(varies)" on an empty one.
 */
function rocketmqDefault(spec: KeySpec, full: boolean): string {
  if (full && spec.defaults) {
    const distinct = new Set(Object.values(spec.defaults));
    if (distinct.size > 1) {
      return Object.entries(spec.defaults)
        .map(([cls, v]) => `${v === null || v === "" ? "(none)" : code(v)} (${cls})`)
        .join(", ");
    }
  }
  if (spec.default === null || spec.default === "") return full && spec.dynamicDefault ? "(varies)" : "";
  return code(spec.default) + (spec.dynamicDefault ? " (varies)" : "");
}

function applianceDefault(role: Role, key: string, spec: KeySpec): string | undefined {
  const fixed = APPLIANCE_DEFAULTS[role].find((d) => d.key === key)?.value;
  if (fixed !== undefined) return fixed;
  // The container's own address; shown only where RocketMQ's recorded default is something else.
  const local = "${localAddress}";
  return ADVERTISED_ADDRESS_KEY[role] === key && spec.default !== local ? local : undefined;
}

/** The key count of each role the version has, in ROLES order. */
function versionCounts(version: string): [Role, number][] {
  const file = loadCatalogueFile(version);
  return rolesOf(version).map((role) => [role, Object.keys(file.roles[role] ?? {}).length]);
}

/** `518 broker keys, 88 namesrv keys and 179 proxy keys`. */
function countsText(version: string): string {
  return list(versionCounts(version).map(([role, n]) => `${n} ${role} keys`));
}

function roleKeys(version: string, role: Role): Record<string, KeySpec> {
  return loadCatalogueFile(version).roles[role] ?? {};
}

function docsPath(version: string): string {
  return `docs/keys-${version}.md`;
}

/** A markdown link to `target` (a path from the repository root) from the page `from`, showing the path. */
function link(from: string, target: string): string {
  return `[${target}](${posix.relative(posix.dirname(from), target)})`;
}

/** Explains the `${...}` placeholders that occur in the defaults shown. */
function placeholderLegend(defaults: Iterable<string | null>): string | undefined {
  const known: Record<string, string> = {
    "${user.home}": "`/home/rocketmq` in these images",
    "${hostname}": "the container's host name",
    "${localAddress}": "the container's own address on its network",
  };
  const found = new Set<string>();
  for (const d of defaults) for (const m of d?.matchAll(/\$\{[^}]+\}/g) ?? []) found.add(m[0]);
  if (!found.size) return undefined;
  const parts = [...found].sort().map((t) => (known[t] ? `${code(t)} is ${known[t]}` : `${code(t)} is computed by RocketMQ at start`));
  return `In defaults, ${parts.join(", ")}.`;
}

const VARIES_NOTE =
  "“(varies)”: RocketMQ computes the default at start from the CPU count, the heap or the environment; the value shown is for 4 CPUs.";

/** The notes that explain what the given table rows show: placeholders, "(varies)". */
function notes(rows: string[][], defaults: Iterable<string | null>): string[] {
  const out: string[] = [];
  const legend = placeholderLegend(defaults);
  if (legend) out.push(legend);
  if (rows.some((r) => r.some((c) => c.includes("(varies)")))) out.push(VARIES_NOTE);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Blocks

function renderVariables(version: string): string {
  const rows: string[][] = [];
  const shown: (string | null)[] = [];
  const roles = rolesOf(version);
  for (const role of roles) {
    for (const v of KEY_VARIABLES[role]) {
      const spec = roleKeys(version, role)[v.key];
      if (!spec) throw new Error(`${v.name} maps to ${v.key}, which RocketMQ ${version} has no ${role} key for`);
      const appliance = applianceDefault(role, v.key, spec);
      const dflt = appliance !== undefined ? code(appliance) : rocketmqDefault(spec, false);
      if (appliance === undefined) shown.push(spec.default);
      rows.push([code(v.name), role, code(v.key), allowedCell(spec), dflt, v.description]);
    }
  }
  const props = CONTAINER_SCHEMA.properties as Record<string, { description: string; enum?: readonly string[]; default?: string }>;
  for (const [name, summary] of Object.entries(CONTAINER_VARIABLE_SUMMARIES)) {
    const p = props[name];
    if (!p) throw new Error(`${name} has a summary but no schema entry`);
    const allowed = p.enum ? p.enum.map(code).join(", ") : p.description;
    rows.push([code(name), "all", "—", allowed, p.default !== undefined ? code(p.default) : "", summary]);
  }
  const authProps = AUTH_SCHEMA.properties as Record<string, { description: string; default?: string | boolean }>;
  for (const [name, summary] of Object.entries(AUTH_VARIABLE_SUMMARIES)) {
    const p = authProps[name]!;
    rows.push([
      code(name),
      "broker, proxy",
      "several (docs/security.md)",
      p.description,
      p.default !== undefined ? code(String(p.default)) : "",
      summary,
    ]);
  }
  const tlsProps = TLS_SCHEMA.properties as Record<string, { description: string }>;
  for (const [name, summary] of Object.entries(TLS_VARIABLE_SUMMARIES)) {
    rows.push([code(name), "all", "system properties and tls.properties (docs/security.md)", tlsProps[name]!.description, "", summary]);
  }
  const bootstrapProps = BOOTSTRAP_SCHEMA.properties as Record<string, { description: string; default?: number | string }>;
  for (const [name, summary] of Object.entries(BOOTSTRAP_VARIABLE_SUMMARIES)) {
    const p = bootstrapProps[name]!;
    rows.push([code(name), "broker, proxy", "—", p.description, p.default !== undefined ? code(String(p.default)) : "", summary]);
  }

  const defaults = table(
    ["Key", "Image", "Value", "Why"],
    roles.flatMap((role) => APPLIANCE_DEFAULTS[role].map((d) => [code(d.key), role, code(d.value), d.why])),
  );
  return [
    `Short variables and container settings (types and defaults from the RocketMQ ${version} catalogue; a default in`,
    "this table is the appliance's own where it sets one):",
    "",
    table(
      ["Variable", "Image", `Key in ${roles.map((r) => CONF_FILE_NAME[r]).join(" / ")}`, "Type / allowed", "Default", "Description"],
      rows,
    ),
    "",
    ...notes(rows, shown).flatMap((n) => [n, ""]),
    `Every variable above, and every ${roles.map((r) => code(`${prefixOf(r)}*`)).join(" / ")} variable, also has a \`_FILE\``,
    "variant (`NAMESRV_ADDR_FILE=/run/secrets/namesrv`) that reads the value from a file; setting both forms is an error.",
    "",
    "Defaults the appliance sets in place of RocketMQ's (a mounted file or a variable overrides them):",
    "",
    defaults,
  ].join("\n");
}

function renderKeys(version: string): string {
  const counts = new Map(versionCounts(version));
  const out: string[] = [];
  const shown: (string | null)[] = [];
  const allRows: string[][] = [];
  for (const role of rolesOf(version)) {
    const prefix = prefixOf(role);
    const important = Object.entries(roleKeys(version, role))
      .filter(([, spec]) => spec.important)
      .sort(([a], [b]) => byName(a, b));
    if (!important.length) {
      out.push(
        `RocketMQ ${version} flags no ${ROLE_TITLE[role]} key as important; all ${counts.get(role)} are in the full list below.`,
        "",
      );
      continue;
    }
    out.push(
      `The ${important.length} ${ROLE_TITLE[role]} keys RocketMQ ${version} flags as important. Set one with either variable, or without`,
      `the ${code(prefix)} prefix in a mounted ${code(defaultConfFile(role))}:`,
      "",
    );
    const rows = important.map(([key, spec]) => {
      shown.push(spec.default);
      const appliance = applianceDefault(role, key, spec);
      const rmq = rocketmqDefault(spec, false);
      const dflt = appliance !== undefined ? `${code(appliance)} (appliance; RocketMQ: ${rmq || "none"})` : rmq;
      return [code(prefix + key), code(prefix + upperSnake(key)), allowedCell(spec), dflt];
    });
    allRows.push(...rows);
    out.push(table(["Variable", "Alias", "Type / allowed", "Default"], rows), "");
  }
  for (const n of notes(allRows, shown)) out.push(n, "");
  const others = supportedVersions().filter((v) => v !== version);
  const page = BLOCK_PAGES.keys;
  out.push(
    `The full list of ${countsText(version)} of RocketMQ ${version} is in`,
    link(page, docsPath(version)) + (others.length ? `; other versions: ${others.map((v) => link(page, docsPath(v))).join(", ")}.` : "."),
  );
  return out.join("\n");
}

function renderVersions(): string {
  const lines = supportedVersions()
    .slice()
    .reverse()
    .map((v) => {
      const counts = versionCounts(v).map(([role, n]) => `${n} ${role} keys`);
      const missing = ROLES.filter((role) => !rolesOf(v).includes(role));
      const mark = v === DEFAULT_ROCKETMQ_VERSION ? " (default; `latest`)" : "";
      const none = missing.length ? ` (no ${list(missing)} image: RocketMQ ${v} has none)` : "";
      return `- RocketMQ ${v}${mark}: ${counts.join(", ")}${none} — ${link(BLOCK_PAGES.versions, docsPath(v))}`;
    });
  return ["Catalogues (the keys an image validates against: those of the RocketMQ version it was built with):", "", ...lines].join("\n");
}

/** The console image's variables, from the schema its settings are checked with. */
function renderConsoleVariables(): string {
  const required: readonly string[] = CONSOLE_SCHEMA.required;
  const rows = Object.entries(CONSOLE_VARIABLE_SUMMARIES).map(([name, summary]) => {
    const p = (CONSOLE_SCHEMA.properties as Record<string, { description: string; default?: string | number | boolean }>)[name];
    if (!p) throw new Error(`${name} has a summary but no schema entry`);
    return [
      code(name),
      required.includes(name) ? "(required)" : p.default !== undefined ? code(String(p.default)) : "",
      p.description,
      summary,
    ];
  });
  return table(["Variable", "Default", "Allowed", "Description"], rows);
}

// ---------------------------------------------------------------------------------------------------------
// Figures, from the benches' results files (bench/results/<bench>.json)

const BENCH_COMMAND: Record<BenchName, string> = {
  images: "node bench/images.ts",
  testcontainers: "node bench/testcontainers.ts",
  console: "node bench/console.ts",
  health: "node bench/health.ts",
  boot: "npm run bench",
  throughput: "node bench/throughput.ts",
  "throughput-paths": "node bench/throughput.ts --paths <paths>",
  "slave-sync": "node bench/slave-sync.ts",
  chaos: "npm run chaos -- --mode <mode>",
};

/** The figures of one bench, or the command that measures them when it has not been run. */
function renderFigures(bench: BenchName, body: (f: (name: string) => number, r: BenchResult) => string[]): string {
  const result = readResult(bench, join(REPO_ROOT, "bench", "results"));
  if (!result) return `Not measured yet: \`${BENCH_COMMAND[bench]}\` writes \`bench/results/${bench}.json\`, then \`npm run docs\`.`;
  const f = (name: string): number => {
    const value = result.figures[name];
    if (value === undefined) throw new Error(`bench/results/${bench}.json has no figure ${name}; run ${BENCH_COMMAND[bench]} again`);
    return value;
  };
  return [
    `Measured by \`${BENCH_COMMAND[bench]}\` on ${result.measuredOn} (${result.machine}); the figures are in`,
    `\`bench/results/${bench}.json\`.`,
    "",
    ...body(f, result),
  ].join("\n");
}

const seconds = (s: number) => `${s.toFixed(1)} s`;

/** Each target of bench/targets.ts against the latest figures: met, or not met and why. */
function renderTargets(): string {
  const rows = assessTargets((bench) => readResult(bench, join(REPO_ROOT, "bench", "results")));
  return [
    "Generated from the files in `bench/results/` and the targets in `bench/targets.ts`; the day each figure was measured",
    "is in its file, and the sections below give the runs.",
    "",
    table(
      ["Target", "Measured", "Met"],
      rows.map((r) => [r.goal, r.shown ?? "not measured yet", r.met === undefined ? "" : r.met ? "yes" : `no: ${r.whyNot}`]),
    ),
  ].join("\n");
}

function renderImageFigures(): string {
  return renderFigures("images", (f) => [
    table(
      ["Image", "Size (`docker image ls`)"],
      [
        [code("rocketmq-appliance/broker"), `${f("broker.megabytes")} MB`],
        [
          code("rocketmq-appliance/namesrv"),
          `${f("namesrv.megabytes")} MB: the broker's layers but for its class-data archive, so both together take ${f("namesrvAndBroker.megabytes")} MB`,
        ],
        [
          code("rocketmq-appliance/proxy"),
          `${f("proxy.megabytes")} MB: the layers the name server and broker share, plus the proxy's own jars and its class-data archive`,
        ],
        [
          code("rocketmq-appliance/console"),
          `${f("console.megabytes")} MB: no base image, only the stripped Node binary, the C libraries it links and the bundled console (\`docker/console/Dockerfile\`)`,
        ],
      ],
    ),
    "",
    `The broker's ${f("broker.megabytes")} MB: node ${f("broker.node.megabytes")} MB, the Java runtime ${f("broker.javaRuntime.megabytes")} MB, RocketMQ's jars ${f("broker.jars.megabytes")} MB, the`,
    `class-data archive ${f("broker.classDataArchive.megabytes")} MB, and ${f("broker.rest.megabytes")} MB for the rest (the C libraries, busybox, the entrypoint and the configurator). The`,
    "Java runtime, the jars and the archive are what RocketMQ needs to run and start fast; node runs the configurator, the",
    `health watcher and \`print-config\`/\`validate\`: without it the broker would be ${f("broker.megabytes") - f("broker.node.megabytes")} MB.`,
    "",
    `A compose mode (name server, broker and console images) pulls about ${f("composeMode.pullMegabytes")} MB compressed, ${f("composeModeWithProxy.pullMegabytes")} MB with the proxy.`,
    `A RocketMQ version bump re-pulls ${f("versionBump.repullMegabytes")} of the broker's ${f("broker.pullMegabytes")} MB compressed (4.9.7 → 5.5.0: ${f("versionBump.sharedLayers")} of ${f("versionBump.layers")} layers`,
    "kept, the base libraries, the Java runtime and node; re-pulled are the jars and what comes after them: the native libraries they",
    "link, the entrypoint, the configurator and the class-data archive).",
    `\`docker compose -f compose/single.yml up -d --wait\` reaches healthy in ${seconds(f("single.upSeconds"))} (median of ${f("runs")}).`,
  ]);
}

function renderTestcontainersFigures(): string {
  return renderFigures("testcontainers", (f) => {
    const row = (label: string, name: string, ratio: boolean) => [
      label,
      seconds(f(`${name}.startSeconds`)),
      seconds(f(`${name}.firstMessageSeconds`)),
      ratio ? `${f(`${name}.firstMessageSeconds.ratioToBare`).toFixed(2)}×` : "",
    ];
    return [
      `Median of ${f("runs")} alternating runs, from the first call to the first message consumed with ali-ons. "By hand" is the`,
      "same Java runtime, jars, arguments and config started directly on the host, then the topic created: the floor each",
      "container start is compared with.",
      "",
      table(
        ["", "Started, topic routed", "First message consumed", "Ratio to by hand"],
        [
          row("By hand: a name server and a broker JVM on the host", "bare", false),
          row("`new RocketMQContainer().withTopics(…).start()`", "container", true),
          row("By hand, three pairs at once", "bareParallel3", false),
          row("Three `RocketMQContainer`s started at once (until all three consumed)", "parallel3", true),
          row('`new RocketMQCluster("2m-2s-async").start()` (2 name servers, 2 masters, 2 slaves)', "cluster2m2sAsync", false),
        ],
      ),
    ];
  });
}

function renderConsoleFigures(): string {
  return renderFigures("console", (f) => [
    `The image is ${f("imageMegabytes")} MB and ${f("idleRssMiB")} MiB resident when idle. With one broker holding ${f("topics").toLocaleString("en")} topics and`,
    `${f("groups").toLocaleString("en")} consumer groups:`,
    "",
    table(
      ["Page", "First load", "Again (cached)"],
      [
        ["Topics, first page of 50", `${f("topicsPage.firstMs")} ms`, `${f("topicsPage.cachedMs")} ms`],
        ["Topics, searched, second page", `${f("topicsSearch.firstMs")} ms`, `${f("topicsSearch.cachedMs")} ms`],
        ["Consumer groups with each listed group's lag, first page", `${f("groupsPage.firstMs")} ms`, `${f("groupsPage.cachedMs")} ms`],
        ["Consumer groups, last page", `${f("groupsLastPage.firstMs")} ms`, `${f("groupsLastPage.cachedMs")} ms`],
      ],
    ),
    "",
    `With the broker paused, the cluster page answers after the 1 s request timeout (${f("pausedBrokerClusterPageMs")} ms).`,
    "",
    `The image sampling the charts every 5 s over those topics and groups, at the default limits (1,000 topics and 1,000 groups),`,
    `keeps ${f("historySeries").toLocaleString("en")} series of 1,440 points (a day at the default minute) and is ${f("historyRssMiB")} MiB resident. Browsing a topic of ${f("browseMessages").toLocaleString("en")} messages by`,
    `time, 100 a page, it showed ${f("browseShown").toLocaleString("en")} messages in ${Math.ceil(f("browseShown") / 100)} pages, ${f("browsePageMedianMs")} ms a page (median), at most`,
    `${f("browseRssMiB")} MiB resident: each page reads its size from each queue, never the topic whole.`,
  ]);
}

/** The modes in the chaos figures, and the faults each one's last run held (bench/results/chaos.json). */
function chaosRuns(r: BenchResult): { modes: string[]; faults: (mode: string) => string[] } {
  return {
    // In the modes' own order, whichever ran last.
    modes: [...new Set(Object.keys(r.figures).map((k) => k.split(".")[0]!))].sort(
      (a, b) => CLUSTER_MODES.indexOf(a as (typeof CLUSTER_MODES)[number]) - CLUSTER_MODES.indexOf(b as (typeof CLUSTER_MODES)[number]),
    ),
    faults: (mode) => [
      ...new Set(
        Object.keys(r.figures).flatMap((k) => (k.startsWith(`${mode}.`) && k.endsWith(".sendStallSeconds") ? [k.split(".")[1]!] : [])),
      ),
    ],
  };
}

/** ", each twice" for a run that went through its faults more than once (--rounds). */
function timesEach(rounds: number): string {
  return rounds > 1 ? `, each ${rounds === 2 ? "twice" : `${rounds} times`}` : "";
}

/** The README's short form of the chaos figures: each mode's last run, its verdict and its worst fault. */
function renderChaosSummary(): string {
  return renderFigures("chaos", (f, r) => {
    const { modes, faults } = chaosRuns(r);
    // The worst of a figure over the run's faults, and the fault it came from; "never" (-1) is the worst of all.
    const worst = (m: string, figure: string) => {
      const [value, fault] = faults(m)
        .map((x) => [f(`${m}.${x}.${figure}`), x] as const)
        .reduce((a, b) => (a[0] < 0 ? a : b[0] < 0 || b[0] > a[0] ? b : a));
      return `${value < 0 ? "never" : seconds(value)} (${fault})`;
    };
    return [
      table(
        [
          "Mode",
          "Run: minutes, faults",
          "Acknowledged",
          "Lost or skipped",
          "Received twice",
          "Longest without a send",
          "Slowest back after healing",
          "Promise",
        ],
        modes.map((m) => [
          m,
          `${(f(`${m}.durationSeconds`) / 60).toFixed(0)}: ${faults(m).join(", ")}${timesEach(r.figures[`${m}.rounds`] ?? 1)}`,
          f(`${m}.acknowledged`).toLocaleString("en"),
          `${f(`${m}.lost`) + (r.figures[`${m}.skipped`] ?? 0)}${r.figures[`${m}.storeRead`] ? "" : "*"}`,
          f(`${m}.duplicated`).toLocaleString("en"),
          worst(m, "sendStallSeconds"),
          worst(m, "groupBackSeconds"),
          f(`${m}.kept`) ? "kept" : "**broken**",
        ]),
      ),
      ...(modes.some((m) => !r.figures[`${m}.storeRead`])
        ? [
            "",
            "\\* Before the runner read the store again at the end: messages its group received and a master later threw away are not counted.",
          ]
        : []),
    ];
  });
}

function renderChaosFigures(): string {
  return renderFigures("chaos", (f, r) => {
    const { modes, faults } = chaosRuns(r);
    const s = (v: number) => (v < 0 ? "never" : seconds(v));
    // Runs before the checker counted them per fault have no such figure.
    const again = (n: number | undefined) => (n ? `; ${n.toLocaleString("en")} again` : "");
    return [
      "Each mode under a steady load (the official Java client sending every 20 ms and consuming at the same time), one",
      "fault after another, each held for the time given. On broker-a's master (the elected one in DLedger and controller",
      "modes): `kill` (SIGKILL, then started again; an elected master once its group has elected another), `pause` (every",
      "process frozen, then thawed), `restart` (stopped cleanly, then started), `partition` (its network namespace drops",
      "all traffic but loopback, then lets it through again). On the name servers: `namesrv` (the first killed, then",
      "started again), `namesrvs` (all stopped, then started). On everything: `rolling` (every node stopped cleanly and",
      "started again, one at a time, the whole cluster healthy again before the next, so brokers have registered with a",
      "restarted name server: the name servers, then each group's other members before its master), `cluster` (`docker",
      "compose down` keeping the volumes, then `up --wait`), `memory` (2 MiB messages of random bytes sent from 8 threads",
      "beside the load, through the proxy where there is one, each node inside its compose memory limit). A run in which",
      "any node is OOM-killed, restarted by Docker, stops, or logs a Java `OutOfMemoryError` breaks the promise, whatever",
      "the mode.",
      "Lost: acknowledged, and not found by a new group that reads the topic from its start after the run — a message",
      "the run's group received counts too when a master that acknowledged it alone later threw it away. Rows marked *",
      "were measured before that read: they count only acknowledged messages the run's group never received.",
      "",
      table(
        [
          "Mode",
          "Run (each fault held)",
          "Acknowledged",
          "Lost",
          "Stored, skipped by the group",
          "Received twice",
          "Per fault: longest without a send / a receive, to 30 s after healing; broker-a acknowledging again after healing; messages received again, where the run counted any",
          "Promise",
        ],
        modes.map((m) => [
          m,
          `${seconds(f(`${m}.durationSeconds`))} (${seconds(f(`${m}.faultSeconds`))})${timesEach(r.figures[`${m}.rounds`] ?? 1)}`,
          f(`${m}.acknowledged`).toLocaleString("en"),
          `${f(`${m}.lost`)}${r.figures[`${m}.storeRead`] ? "" : "*"}`,
          String(r.figures[`${m}.skipped`] ?? 0),
          f(`${m}.duplicated`).toLocaleString("en"),
          faults(m)
            .map(
              (x) =>
                `${x}: ${s(f(`${m}.${x}.sendStallSeconds`))} / ${s(f(`${m}.${x}.consumeStallSeconds`))}; ${s(f(`${m}.${x}.groupBackSeconds`))}${again(r.figures[`${m}.${x}.duplicated`])}`,
            )
            .join("<br>"),
          f(`${m}.kept`) ? "kept" : "**broken**",
        ]),
      ),
    ];
  });
}

function renderSlaveSyncFigures(): string {
  return renderFigures("slave-sync", (f, r) => {
    const versions = [...new Set(Object.keys(r.figures).flatMap((k) => (/^\d/.test(k) ? [k.split(".").slice(0, 3).join(".")] : [])))];
    const cell = (v: string, kind: string) =>
      `${seconds(f(`${v}.${kind}.medianSeconds`))} (${seconds(f(`${v}.${kind}.minSeconds`))}–${seconds(f(`${v}.${kind}.maxSeconds`))})`;
    return [
      `Written to the masters of \`compose/2m-2s-sync.yml\` alone, as RocketMQ's tools and clients write them; until every slave`,
      `had it, median (min–max) of ${f("runs")} runs:`,
      "",
      table(
        ["RocketMQ", "A topic (`updateTopic -c`)", "A subscription group (`updateSubGroup -c`)", "A consumer offset (a consumer's commit)"],
        versions.map((v) => [v, cell(v, "topic"), cell(v, "group"), cell(v, "offset")]),
      ),
      "",
      "All three arrive together, with the slave's one periodic copy. Each run after the first writes just after the",
      "previous copy, so the maxima are the longest window a failover right after a write meets.",
    ];
  });
}

function renderBootFigures(): string {
  return renderFigures("boot", (f) => {
    const cell = (variant: string, measure: string) =>
      `${f(`${variant}.${measure}.median`).toFixed(2)} s (${f(`${variant}.${measure}.min`).toFixed(2)}–${f(`${variant}.${measure}.max`).toFixed(2)})`;
    const ratio = (variant: string, measure: string) => `${f(`${variant}.${measure}.ratioToBare`).toFixed(2)}×`;
    const measures = [
      ["bootSeconds", "start → broker “boot success”"],
      ["firstMessageSeconds", "start → first message consumed (official Java client)"],
      ["cpuSeconds", "CPU seconds both nodes spent until the broker's “boot success”"],
    ];
    return [
      `A name server and a broker (RocketMQ 5.5.0, 1 GiB each) started together; median (min–max) of ${f("runs")} alternating runs:`,
      "",
      table(
        ["", "Bare JVMs on the host", "Our containers", "ratio", "Our containers, JDK archive only", "ratio"],
        measures.map(([m, label]) => [
          label!,
          cell("bare", m!),
          cell("container", m!),
          ratio("container", m!),
          cell("containerBaseCds", m!),
          ratio("containerBaseCds", m!),
        ]),
      ),
    ];
  });
}

function renderThroughputFigures(): string {
  return renderFigures("throughput", (f, r) => {
    const paths: [string, string][] = [
      ["bare", "Bare JVMs on the host, client on the host"],
      ["containerAddress", "Our containers, client on the host dialling the container's address (the default)"],
      ["otherContainer", "Our containers, client in another container on the same network"],
      ["publishedPorts", "Our containers, ports published on 127.0.0.1 (`BROKER_IP1=127.0.0.1`)"],
      ["hostNetwork", "Our containers with `--network host` (Linux)"],
      ...(r.figures.cpuGroups
        ? ([
            ["bareOneGroup", "Without CPU groups: bare JVMs on the host, client on the host"],
            ["containerAddressOneGroup", "Without CPU groups: our containers, client on the host dialling the container's address"],
          ] as [string, string][])
        : []),
    ];
    const cell = (path: string, threads: number) => {
      const k = `${path}.t${threads}`;
      const ratio = path.startsWith("bare") ? "" : ` (${f(`${k}.throughputRatio`).toFixed(2)}×)`;
      return `${f(`${k}.msgPerSec`).toLocaleString("en")} msg/s${ratio}, p50 ${f(`${k}.p50Ms`).toFixed(2)} ms, p99 ${f(`${k}.p99Ms`).toFixed(2)} ms`;
    };
    return [
      `Sync sends of 1 KiB with the official Java client for ${f("seconds")} s (after a 2 s warm-up), one name server and one`,
      `broker (RocketMQ 5.5.0, 1 GiB each); the median of ${f("rounds")} rounds, each path once per round; ratios to the bare JVMs`,
      "of the same run. The client in another container runs on the image's Java runtime, the others on the host's.",
      ...(r.figures.warmUpSeconds
        ? [
            `After each start, ${f("warmUpSeconds")} s of sends from 4 threads go unmeasured, so that every path meets a broker whose JIT`,
            "has compiled the send path.",
          ]
        : []),
      ...(r.figures.cpuGroups
        ? [
            "The clients and the bare JVMs on the host run in CPU groups of their own (cgroups, with a container's weight), as a",
            "service manager runs a login session and a service; the last two rows run every host process in the root group, as",
            "on a host without one, and their ratios are to the bare JVMs run that way.",
          ]
        : []),
      "",
      table(
        ["Path", "1 thread", "4 threads"],
        paths.map(([p, label]) => [label, cell(p, 1), cell(p, 4)]),
      ),
    ];
  });
}

/** The --paths run: fewer paths, more rounds, and each round's ratio to the bare JVMs of that round. */
function renderThroughputPathsFigures(): string {
  return renderFigures("throughput-paths", (f, r) => {
    const keys = Object.keys(r.figures)
      .filter((k) => k.endsWith(".pairedThroughputRatio"))
      .map((k) => k.slice(0, -".pairedThroughputRatio".length))
      .sort();
    return [
      `Only some paths, with the bare JVMs they are compared with: ${f("rounds")} rounds of ${f("seconds")} s, the paths' order turning every`,
      "round as above. Paired: the median (min–max) of each round's ratio to the bare JVMs of the same round, which the",
      "machine's drift over the run moves less than a ratio of medians.",
      "",
      table(
        ["Path, threads", "msg/s (median)", "Ratio of medians", "Paired ratio", "p99, paired ratio"],
        keys.map((k) => {
          const [path, threads] = k.split(".");
          return [
            `${code(path!)}, ${threads!.slice(1)}`,
            f(`${k}.msgPerSec`).toLocaleString("en"),
            `${f(`${k}.throughputRatio`).toFixed(2)}×`,
            `${f(`${k}.pairedThroughputRatio`).toFixed(2)}× (${f(`${k}.pairedThroughputRatioMin`).toFixed(2)}–${f(`${k}.pairedThroughputRatioMax`).toFixed(2)})`,
            `${f(`${k}.pairedP99Ratio`).toFixed(2)}×`,
          ];
        }),
      ),
    ];
  });
}

function renderHealthFigures(): string {
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  // A median below the floor's median: the shell's own cost is within the run's spread of Docker's exec.
  const aboveFloor = (n: number) => (n > 0.05 ? ms(n) : "nothing measurable");
  return renderFigures("health", (f, r) => [
    `CPU per check, counted in the container's cgroup (median of ${f("checks")}):`,
    "",
    table(
      ["Container", "The image's check", "The full check in Node (before)", "`docker exec … true` (Docker's floor)"],
      ["namesrv-1", "broker-a-s"].map((s) => [
        code(s),
        ms(f(`${s}.checkCpuMs.image`)),
        ms(f(`${s}.checkCpuMs.fullNode`)),
        ms(f(`${s}.checkCpuMs.execTrue`)),
      ]),
    ),
    "",
    `Above Docker's floor, the image's check itself costs ${aboveFloor(f("namesrv-1.checkCpuMs.image") - f("namesrv-1.checkCpuMs.execTrue"))}`,
    `(name server) and ${aboveFloor(f("broker-a-s.checkCpuMs.image") - f("broker-a-s.checkCpuMs.execTrue"))} (slave): a shell reading one line. What remains is`,
    "what Docker spends on any exec in the container (runc joining its namespaces and cgroup), which no exec-based",
    "check can go below.",
    "",
    `The console's image has Node and no shell, so its check is a Node start: ${ms(f("console.checkCpuMs.image"))} (CommonJS with`,
    `Node's http client), against ${ms(f("console.checkCpuMs.before"))} as it was (an ES module with fetch); \`node -e 0\` alone costs`,
    `${ms(f("console.checkCpuMs.nodeStart"))} there.`,
    "",
    `The whole idle \`compose/2m-2s-sync.yml\` (two name servers, four brokers and the console)`,
    `over ${f("idleSeconds")} s: ${pct(f("idle.shipped.coreShare"))} of one core, of which the six watchers ${pct(f("idle.shipped.watchersCoreShare"))};`,
    `with every JVM node checked by the full check in Node every 5 s, as before the watcher, ${pct(f("idle.before.coreShare"))}`,
    `(ratio ${f("idle.ratio").toFixed(2)}).`,
    "",
    `One idle name server and broker over ${f("idleSeconds")} s, in the same window: our two containers`,
    `${pct(f("idle.single.containers.coreShare"))} of one core (their JVMs ${pct(f("idle.single.containerJvms.coreShare"))}, the rest the watchers and checks),`,
    `the same JVMs run by hand ${pct(f("idle.single.bare.coreShare"))} (ratio ${f("idle.single.ratioToBare").toFixed(2)}). The broker's busiest threads:`,
    "",
    table(
      ["Thread, our container", "Share of one core", "Thread, by hand", "Share of one core"],
      zipLongest(threadShares(r, "container"), threadShares(r, "bare")).map(([c, b]) => [
        c ? code(c[0]) : "",
        c ? pct(c[1]) : "",
        b ? code(b[0]) : "",
        b ? pct(b[1]) : "",
      ]),
    ),
  ]);
}

/** The idle broker's threads of one kind, busiest first, from the health bench's `idle.threads.<kind>.<name>` figures. */
function threadShares(r: BenchResult, kind: "container" | "bare"): [string, number][] {
  const prefix = `idle.threads.${kind}.`;
  return Object.entries(r.figures)
    .filter(([name]) => name.startsWith(prefix))
    .map(([name, share]): [string, number] => [name.slice(prefix.length), share])
    .sort((a, b) => b[1] - a[1]);
}

function zipLongest<A, B>(as: A[], bs: B[]): [A | undefined, B | undefined][] {
  return Array.from({ length: Math.max(as.length, bs.length) }, (_, i) => [as[i], bs[i]]);
}

export function renderBlocks(): Record<BlockName, string> {
  const version = DEFAULT_ROCKETMQ_VERSION;
  return {
    variables: renderVariables(version),
    keys: renderKeys(version),
    versions: renderVersions(),
    console: renderConsoleVariables(),
    "figures-targets": renderTargets(),
    "figures-images": renderImageFigures(),
    "figures-testcontainers": renderTestcontainersFigures(),
    "figures-console": renderConsoleFigures(),
    "figures-health": renderHealthFigures(),
    "figures-boot": renderBootFigures(),
    "figures-throughput": renderThroughputFigures(),
    "figures-throughput-paths": renderThroughputPathsFigures(),
    "figures-slave-sync": renderSlaveSyncFigures(),
    "figures-chaos": renderChaosFigures(),
    "figures-chaos-summary": renderChaosSummary(),
  };
}

// ---------------------------------------------------------------------------------------------------------
// docs/keys-<version>.md

function renderKeyDoc(version: string): string {
  const roles = rolesOf(version);
  const out = [
    `<!-- Generated by \`npm run docs\` from the catalogue (src/catalogue/versions/${version}.json); do not edit. -->`,
    `# RocketMQ ${version}: every configuration key`,
    "",
    `${countsText(version)}, read from the config classes of RocketMQ ${version}.`,
    `Set a key with ${roles.map((r) => code(`${prefixOf(r)}<key>`)).join(" / ")} (exact spelling), with the alias shown`,
    `(\`RMQ_BROKER_<ALIAS>\`), or in a mounted ${roles.map((r) => code(CONF_FILE_NAME[r])).join(" / ")}. Defaults are RocketMQ's; the appliance`,
    `replaces a few of them (see ${link(docsPath(version), BLOCK_PAGES.variables)}). “Important” is RocketMQ's own \`@ImportantField\` flag.`,
    "",
  ];
  const all: (string | null)[] = [];
  const allRows: string[][] = [];
  for (const role of roles) {
    const prefix = prefixOf(role);
    const keys = Object.entries(roleKeys(version, role)).sort(([a], [b]) => byName(a, b));
    out.push(`## ${ROLE_TITLE[role][0]!.toUpperCase()}${ROLE_TITLE[role].slice(1)} (${keys.length} keys, \`${prefix}*\`)`, "");
    const rows = keys.map(([key, spec]) => {
      all.push(spec.default, ...Object.values(spec.defaults ?? {}));
      return [code(key), code(upperSnake(key)), allowedCell(spec), rocketmqDefault(spec, true), spec.important ? "yes" : ""];
    });
    allRows.push(...rows);
    out.push(table(["Key", "Alias", "Type / allowed", "Default", "Important"], rows), "");
  }
  for (const n of notes(allRows, all)) out.push(n, "");
  return out.join("\n");
}

/** Every generated docs file, by path relative to the repository root. */
export function renderKeyDocs(): Record<string, string> {
  return Object.fromEntries(supportedVersions().map((v) => [docsPath(v), renderKeyDoc(v)]));
}

// ---------------------------------------------------------------------------------------------------------
// Reading and writing

function markers(name: string): [string, string] {
  return [`<!-- generated:${name} -->`, `<!-- /generated:${name} -->`];
}

/** The blocks of each page that holds any, by page. */
function blocksByPage(): Map<string, [BlockName, string][]> {
  const pages = new Map<string, [BlockName, string][]>();
  for (const [name, body] of Object.entries(renderBlocks()) as [BlockName, string][]) {
    const page = BLOCK_PAGES[name];
    pages.set(page, [...(pages.get(page) ?? []), [name, body]]);
  }
  return pages;
}

/** Where the block's body starts and ends in `text`, or undefined when a marker is missing. */
function span(text: string, name: string): [number, number] | undefined {
  const [open, close] = markers(name);
  const start = text.indexOf(open);
  const end = text.indexOf(close, start + open.length);
  return start < 0 || end < 0 ? undefined : [start + open.length, end];
}

/** The page with each of its blocks replaced; throws when a marker is missing. */
function fillPage(page: string, text: string, blocks: [BlockName, string][]): string {
  let out = text;
  for (const [name, body] of blocks) {
    const at = span(out, name);
    if (!at) throw new Error(`${page} lacks the markers ${markers(name).join(" … ")}`);
    out = `${out.slice(0, at[0])}\n${body}\n${out.slice(at[1])}`;
  }
  return out;
}

/** Blocks opened in a page they do not belong to (a copy left behind by a move), and unknown block names. */
function strayMarkers(root: string): string[] {
  const problems: string[] = [];
  for (const page of markdownPages(root).filter((p) => existsSync(join(root, p)))) {
    const text = readFileSync(join(root, page), "utf8");
    for (const m of text.matchAll(/<!-- generated:([\w-]+) -->/g)) {
      const name = m[1]!;
      const home = (BLOCK_PAGES as Record<string, string>)[name];
      if (home === undefined)
        problems.push(`${page}: block '${name}' is not generated by scripts/docs-tables.ts; known blocks: ${BLOCK_NAMES.join(", ")}`);
      else if (home !== page) problems.push(`${page}: block '${name}' belongs in ${home}; remove its markers from ${page}`);
    }
  }
  return problems;
}

/** What is out of date: blocks by page and name, docs files by path, stale docs files. Empty when all is current. */
export function outdated(root: string = REPO_ROOT): string[] {
  const problems: string[] = [];
  for (const [page, blocks] of blocksByPage()) {
    const full = join(root, page);
    if (!existsSync(full)) {
      problems.push(`${page} does not exist`);
      continue;
    }
    const text = readFileSync(full, "utf8");
    for (const [name, body] of blocks) {
      const at = span(text, name);
      if (!at) problems.push(`${page}: block '${name}' has no ${markers(name).join(" … ")} markers`);
      else if (text.slice(at[0], at[1]) !== `\n${body}\n`) problems.push(`${page}: block '${name}' is out of date`);
    }
  }
  problems.push(...strayMarkers(root));
  const docs = renderKeyDocs();
  for (const [path, text] of Object.entries(docs)) {
    const full = join(root, path);
    if (!existsSync(full)) problems.push(`${path} does not exist`);
    else if (readFileSync(full, "utf8") !== text) problems.push(`${path} is out of date`);
  }
  for (const stale of staleDocs(root, docs)) problems.push(`${stale} is not generated from any catalogue (stale)`);
  return problems;
}

function staleDocs(root: string, docs: Record<string, string>): string[] {
  const dir = join(root, "docs");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^keys-.+\.md$/.test(f))
    .map((f) => `docs/${f}`)
    .filter((p) => !(p in docs));
}

function writeIfChanged(path: string, text: string): void {
  const full = join(REPO_ROOT, path);
  if (existsSync(full) && readFileSync(full, "utf8") === text) return;
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  process.stdout.write(`updated ${path}\n`);
}

function write(): void {
  for (const [page, blocks] of blocksByPage()) {
    const full = join(REPO_ROOT, page);
    if (!existsSync(full)) throw new Error(`${page} does not exist; it holds the blocks ${blocks.map(([name]) => name).join(", ")}`);
    writeIfChanged(page, fillPage(page, readFileSync(full, "utf8"), blocks));
  }
  mkdirSync(DOCS_DIR, { recursive: true });
  const docs = renderKeyDocs();
  for (const [path, text] of Object.entries(docs)) writeIfChanged(path, text);
  for (const stale of staleDocs(REPO_ROOT, docs)) {
    rmSync(join(REPO_ROOT, stale));
    process.stdout.write(`removed ${stale}\n`);
  }
  // Markers elsewhere are reported, not removed: the text around them is hand-written.
  for (const p of strayMarkers(REPO_ROOT)) process.stderr.write(`${p}\n`);
}

function cli(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { check: { type: "boolean", default: false } } });
  try {
    if (!values.check) {
      write();
      return strayMarkers(REPO_ROOT).length ? 1 : 0;
    }
    const problems = outdated();
    for (const p of problems) process.stderr.write(`${p}\n`);
    if (problems.some((p) => p.includes("markers")))
      process.stderr.write("put each block's markers in the page BLOCK_PAGES names (scripts/docs-tables.ts), then run `npm run docs`\n");
    else if (problems.length) process.stderr.write("run `npm run docs` to regenerate\n");
    return problems.length ? 1 : 0;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = cli(process.argv.slice(2));
}
