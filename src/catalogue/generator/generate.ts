// Regenerates src/catalogue/versions/<version>.json from the RocketMQ jars of that version.
//
//   node src/catalogue/generator/generate.ts <version> [<version>...]     (or: npm run catalogue -- 5.5.0)
//
// For each version: Maven (checksums enforced with -C) copies rocketmq-broker, rocketmq-namesrv (and, from 5.0 on,
// rocketmq-proxy) and their runtime dependencies into a temp dir; javap on BrokerStartup / NamesrvStartup tells
// which config objects each role passes to MixAll.properties2Object; the proxy reads its JSON file into a fixed
// pair of classes. CatalogueGenerator.java lists the keys of those classes by reflection.
// The generator runs several times per role, under different CPU counts, heap sizes, user.home, time zones and
// ROCKETMQ_HOME / NAMESRV_ADDR: a key whose default changes between runs is marked "dynamicDefault" and keeps the
// value of the first run (4 CPUs, 512m heap, UTC, ROCKETMQ_HOME and NAMESRV_ADDR unset). Needs a JDK (11+) and mvn.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { aliasOf, type KeySpec, type KeyType, type Role } from "../catalogue.ts";

const here = import.meta.dirname;
const generatorSource = join(here, "CatalogueGenerator.java");
const versionsDir = resolve(here, "..", "versions");

/** Where a role's config classes come from: the startup class's bytecode, or a fixed list. */
type RoleSource = { artifact: string; sinceMajor?: number } & ({ startupClass: string } | { classes: string[] });

const ROLE_SOURCES: Record<Role, RoleSource> = {
  broker: { artifact: "rocketmq-broker", startupClass: "org.apache.rocketmq.broker.BrokerStartup" },
  namesrv: { artifact: "rocketmq-namesrv", startupClass: "org.apache.rocketmq.namesrv.NamesrvStartup" },
  // ProxyStartup has no properties2Object call for its file: Configuration.init() parses rmq-proxy.json with
  // fastjson2 into ProxyConfig, then the same text into AuthConfig. Both are plain beans whose single-argument
  // setters are the keys, as for properties2Object. RocketMQ 4.x has no proxy.
  proxy: {
    artifact: "rocketmq-proxy",
    sinceMajor: 5,
    classes: ["org.apache.rocketmq.proxy.config.ProxyConfig", "org.apache.rocketmq.auth.config.AuthConfig"],
  },
};

function rolesFor(version: string): Role[] {
  const major = Number(version.split(".")[0]);
  return (Object.keys(ROLE_SOURCES) as Role[]).filter((role) => major >= (ROLE_SOURCES[role].sinceMajor ?? 0));
}

const DEPENDENCY_PLUGIN_VERSION = "3.6.1";

interface Variant {
  name: string;
  cpus: number;
  heap: string;
  tz: string;
  env: Record<string, string>;
}

// The first variant is what the catalogue records. CPU counts on both sides of it catch min()/max() thresholds.
const VARIANTS: Variant[] = [
  { name: "a", cpus: 4, heap: "512m", tz: "UTC", env: {} },
  {
    name: "b",
    cpus: 1,
    heap: "256m",
    tz: "Pacific/Kiritimati",
    env: { ROCKETMQ_HOME: "/opt/catalogue-probe-b", NAMESRV_ADDR: "192.0.2.1:9876" },
  },
  {
    name: "c",
    cpus: 64,
    heap: "1g",
    tz: "America/Adak",
    env: { ROCKETMQ_HOME: "/opt/catalogue-probe-c", NAMESRV_ADDR: "198.51.100.1:9876" },
  },
];

/** What CatalogueGenerator.java prints for one key: a KeySpec without dynamicDefault, plus two extras. */
interface GeneratedKey extends KeySpec {
  /** Every value type the key's setters take, when there is more than one. */
  types?: KeyType[];
  /** The default of each class, when the classes that accept the key start from different values. */
  defaults?: Record<string, string | null>;
}

interface GeneratorOutput {
  role: string;
  classes: string[];
  keys: Record<string, GeneratedKey>;
}

function jdkTool(name: string): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", name) : name;
}

function pom(version: string, artifacts: string[]): string {
  const deps = artifacts
    .map(
      (a) =>
        `    <dependency>\n      <groupId>org.apache.rocketmq</groupId>\n      <artifactId>${a}</artifactId>\n` +
        `      <version>${version}</version>\n    </dependency>\n`,
    )
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.rocketmq-appliance</groupId>
  <artifactId>catalogue-jars</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
${deps}  </dependencies>
  <build>
    <pluginManagement>
      <plugins>
        <plugin>
          <groupId>org.apache.maven.plugins</groupId>
          <artifactId>maven-dependency-plugin</artifactId>
          <version>${DEPENDENCY_PLUGIN_VERSION}</version>
        </plugin>
      </plugins>
    </pluginManagement>
  </build>
</project>
`;
}

/** Runs Maven in `dir`; returns its output on failure, null on success. */
function copyDependencies(dir: string, version: string, artifacts: string[], jarsDir: string): string | null {
  writeFileSync(join(dir, "pom.xml"), pom(version, artifacts));
  rmSync(jarsDir, { recursive: true, force: true });
  const r = spawnSync(
    "mvn",
    [
      "-q",
      "-B",
      "-C", // fail on checksum mismatch
      "-Dstyle.color=never",
      "-f",
      join(dir, "pom.xml"),
      "dependency:copy-dependencies",
      "-DincludeScope=runtime",
      `-DoutputDirectory=${jarsDir}`,
    ],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.error) throw new Error(`cannot run mvn: ${r.error.message}`);
  return r.status === 0 ? null : `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
}

function resolveJars(version: string, work: string, roles: Role[]): string {
  const dir = join(work, "jars");
  const failure = copyDependencies(
    work,
    version,
    roles.map((role) => ROLE_SOURCES[role].artifact),
    dir,
  );
  if (failure !== null) throw new Error(`mvn could not fetch RocketMQ ${version}:\n${failure}`);
  return dir;
}

/**
 * The classes of the objects a startup class hands to MixAll.properties2Object, in call order, read from its
 * bytecode (javap -c): the argument is an aload of a local that was stored right after `new X`/a call returning
 * X/a checkcast to X, a getstatic/getfield of a field of type X, or the result of a call returning X.
 */
export function configClassesOf(javapOutput: string, startupClass: string): string[] {
  const found: string[] = [];
  let slots = new Map<string, string>();
  let prev: { op: string; arg: string } | undefined;
  const returned = (arg: string) => /\)L([^;]+);$/.exec(arg)?.[1];
  for (const line of javapOutput.split("\n")) {
    const m = /^\s+(\d+): ([a-z_][a-z0-9_]*)\s*(.*)$/.exec(line);
    if (!m) {
      if (/^ {2}\S/.test(line)) {
        slots = new Map(); // a new method
        prev = undefined;
      }
      continue;
    }
    const op = m[2]!;
    const arg = m[3]!;
    const store = /^astore(?:_(\d))?$/.exec(op);
    if (store) {
      const slot = store[1] ?? arg.split(/\s+/)[0]!;
      let type: string | undefined;
      if (prev?.op === "invokespecial") type = /Method (\S+)\."<init>"/.exec(prev.arg)?.[1];
      else if (prev?.op === "checkcast") type = /class (\S+)$/.exec(prev.arg)?.[1];
      else if (prev && /^invoke/.test(prev.op)) type = returned(prev.arg);
      if (type) slots.set(slot, type);
      else slots.delete(slot);
    }
    if (op === "invokestatic" && /MixAll\.properties2Object:\(Ljava\/util\/Properties;Ljava\/lang\/Object;\)V/.test(arg)) {
      let type: string | undefined;
      const load = prev && /^aload(?:_(\d))?$/.exec(prev.op);
      if (prev && load) type = slots.get(load[1] ?? prev.arg.split(/\s+/)[0]!);
      else if (prev && /^get(static|field)$/.test(prev.op)) type = /:L([^;]+);$/.exec(prev.arg)?.[1];
      else if (prev && /^invoke/.test(prev.op)) type = returned(prev.arg);
      else if (prev?.op === "checkcast") type = /class (\S+)$/.exec(prev.arg)?.[1];
      if (!type) {
        throw new Error(`cannot tell which object ${startupClass} passes to properties2Object (${line.trim()})`);
      }
      const name = type.replace(/\//g, ".");
      if (!found.includes(name)) found.push(name);
    }
    prev = { op, arg };
  }
  if (found.length === 0) throw new Error(`${startupClass} never calls MixAll.properties2Object`);
  return found;
}

function configClasses(jarsDir: string, role: Role): string[] {
  const source = ROLE_SOURCES[role];
  if ("classes" in source) return source.classes;
  const className = source.startupClass;
  const r = spawnSync(jdkTool("javap"), ["-c", "-p", "-cp", join(jarsDir, "*"), className], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`cannot run javap: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`javap ${className} failed:\n${r.stderr}`);
  return configClassesOf(r.stdout, className);
}

function runGenerator(
  work: string,
  jarsDir: string,
  role: Role,
  classes: string[],
  variant: Variant,
): Promise<{ output: GeneratorOutput; diagnostics: string[] }> {
  const home = join(work, `home-${variant.name}`);
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: variant.tz, ...variant.env };
  // Nothing may reach the JVM from outside: no rocketmq.* properties, no options from the environment.
  for (const name of ["JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH"]) delete env[name];
  for (const name of ["NAMESRV_ADDR", "ROCKETMQ_HOME"]) if (!(name in variant.env)) delete env[name];
  const args = [
    `-XX:ActiveProcessorCount=${variant.cpus}`,
    `-Xmx${variant.heap}`,
    `-Duser.home=${home}`,
    "-Duser.language=en",
    "-Duser.country=US",
    "-Dfile.encoding=UTF-8",
    "-cp",
    join(jarsDir, "*"),
    generatorSource,
    role,
    ...classes,
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(jdkTool("java"), args, { env, cwd: home, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e) => reject(new Error(`cannot run java: ${e.message}`)));
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`generator (${role}, run ${variant.name}) exited with ${code}:\n${stderr}`));
        return;
      }
      try {
        const output = JSON.parse(stdout) as GeneratorOutput;
        const diagnostics = stderr.split("\n").filter((l) => l.startsWith("[catalogue]"));
        resolvePromise({ output, diagnostics });
      } catch (e) {
        reject(new Error(`generator (${role}, run ${variant.name}) printed no JSON: ${(e as Error).message}`));
      }
    });
  });
}

type CatalogueKey = GeneratedKey & { dynamicDefault?: boolean };

/** Merges the runs of one role: the first run's values, dynamicDefault where a default moved. */
function mergeRuns(role: Role, runs: GeneratorOutput[]): Record<string, CatalogueKey> {
  const [first, ...others] = runs as [GeneratorOutput, ...GeneratorOutput[]];
  const names = Object.keys(first.keys).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const shape = (k: GeneratedKey) => JSON.stringify([k.type, k.types, k.enum, k.important, k.classes]);
  const defaults = (k: GeneratedKey) => JSON.stringify([k.default, k.defaults]);
  const out: Record<string, CatalogueKey> = {};
  for (const other of others) {
    const a = names.join("\n");
    const b = Object.keys(other.keys)
      .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
      .join("\n");
    if (a !== b) throw new Error(`${role}: the set of keys differs between generator runs`);
  }
  for (const name of names) {
    const k = first.keys[name]!;
    let dynamic = false;
    for (const other of others) {
      const o = other.keys[name]!;
      if (shape(o) !== shape(k)) throw new Error(`${role}.${name}: type/enum/classes differ between runs`);
      if (defaults(o) !== defaults(k)) dynamic = true;
    }
    // Fixed field order, so that the files diff well.
    const entry: CatalogueKey = { type: k.type } as CatalogueKey;
    if (k.types) entry.types = k.types;
    if (k.enum) entry.enum = k.enum;
    entry.default = k.default;
    if (k.defaults) entry.defaults = k.defaults;
    if (dynamic) entry.dynamicDefault = true;
    if (k.important) entry.important = true;
    entry.classes = k.classes;
    out[name] = entry;
  }
  return out;
}

async function generate(version: string): Promise<void> {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`not a RocketMQ version: ${version}`);
  const work = mkdtempSync(join(tmpdir(), `rocketmq-catalogue-${version}-`));
  try {
    console.error(`[catalogue] ${version}: resolving jars with Maven`);
    const versionRoles = rolesFor(version);
    const jars = resolveJars(version, work, versionRoles);
    const roles: Partial<Record<Role, Record<string, CatalogueKey>>> = {};
    const seen = new Set<string>();
    for (const role of versionRoles) {
      const classes = configClasses(jars, role);
      console.error(`[catalogue] ${version} ${role}: ${classes.map((c) => c.replace(/^.*\./, "")).join(", ")}`);
      const runs = await Promise.all(VARIANTS.map((v) => runGenerator(work, jars, role, classes, v)));
      for (const line of runs[0]!.diagnostics) {
        if (!seen.has(line)) console.error(`${line} (${version} ${role})`);
        seen.add(line);
      }
      const keys = mergeRuns(
        role,
        runs.map((r) => r.output),
      );
      roles[role] = keys;
      report(version, role, keys);
    }
    const file = {
      rocketmqVersion: version,
      source: `generated by src/catalogue/generator from the RocketMQ ${version} jars on Maven Central; do not edit`,
      roles,
    };
    mkdirSync(versionsDir, { recursive: true });
    const target = join(versionsDir, `${version}.json`);
    writeFileSync(target, JSON.stringify(file, null, 2) + "\n");
    console.error(`[catalogue] wrote ${target}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function report(version: string, role: Role, keys: Record<string, CatalogueKey>): void {
  const names = Object.keys(keys);
  const byAlias = new Map<string, string[]>();
  for (const name of names) byAlias.set(aliasOf(name), [...(byAlias.get(aliasOf(name)) ?? []), name]);
  const collisions = [...byAlias.values()].filter((g) => g.length > 1);
  const dynamic = names.filter((n) => keys[n]!.dynamicDefault);
  const multiType = names.filter((n) => keys[n]!.types);
  const multiDefault = names.filter((n) => keys[n]!.defaults);
  const lines = [
    `[catalogue] ${version} ${role}: ${names.length} keys`,
    `  dynamicDefault (${dynamic.length}): ${dynamic.join(", ") || "none"}`,
    `  alias collisions: ${collisions.map((g) => g.join("/")).join(", ") || "none"}`,
    `  several value types: ${multiType.map((n) => `${n} ${keys[n]!.types!.join("|")}`).join(", ") || "none"}`,
    `  different defaults per class: ${multiDefault.map((n) => `${n} ${JSON.stringify(keys[n]!.defaults)}`).join(", ") || "none"}`,
  ];
  console.error(lines.join("\n"));
}

async function main(argv: string[]): Promise<void> {
  if (argv.length === 0 || argv.some((a) => a.startsWith("-"))) {
    console.error("usage: node src/catalogue/generator/generate.ts <rocketmq version> [<version>...]");
    process.exit(2);
  }
  for (const version of argv) await generate(version);
}

if (import.meta.filename === resolve(process.argv[1] ?? "")) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
