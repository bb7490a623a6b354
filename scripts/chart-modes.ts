// Writes charts/rocketmq/files/modes.yaml from env/<mode>/*.env, the files the compose files use, so that the chart
// takes each mode's settings (roles, ids, flush types, broker.conf keys) from them instead of a copy of its own.
// The file keeps what a mode means: the variables every broker shares (cluster.env), each broker node's own (its
// file), each name server's (namesrv.env with namesrv-<n>.env) and the proxy's; addresses and ports, which differ
// between a compose network and a cluster, are left to the chart (DERIVED).
//
//   npm run chart-modes               rewrites charts/rocketmq/files/modes.yaml
//   npm run chart-modes -- --check    changes nothing; exits 1 when the file is out of date
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { CLUSTER_MODES } from "../src/testcontainers/modes.ts";

const REPO_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
export const MODES_FILE = "charts/rocketmq/files/modes.yaml";

// Left out of modes.yaml: the chart derives them from its values and the pods' DNS names (docs/kubernetes.md).
// BROKER_NAME is the node's group, which names its nodes (broker-a, broker-a-s, broker-a-n0, ...).
export const DERIVED: ReadonlySet<string> = new Set([
  "NAMESRV_ADDR",
  "BROKER_CLUSTER_NAME",
  "BROKER_NAME",
  "LISTEN_PORT",
  "BROKER_IP1",
  "BROKER_IP2",
  "DLEDGER_PEERS",
  "CONTROLLER_ADDR",
  "CONTROLLER_PEERS",
  "GRPC_PORT",
  "REMOTING_PORT",
  "REMOTING_ACCESS_ADDR",
]);

type Env = Record<string, string>;
export interface ModeSettings {
  /** Every broker of the mode (cluster.env). */
  cluster: Env;
  /** The broker groups (BROKER_NAME), each with its nodes in order and each node's own variables. */
  groups: { name: string; nodes: { name: string; env: Env }[] }[];
  /** The name servers in order, each with its variables. */
  namesrvs: { env: Env }[];
}
export interface ModesFile {
  modes: Record<string, ModeSettings>;
  proxy: { env: Env };
}

/** The variables of an env file, in order (KEY=value lines; comments and blank lines skipped). */
export function readEnvFile(path: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

const own = (env: Map<string, string>): Env => Object.fromEntries([...env].filter(([k]) => !DERIVED.has(k)));

function modeSettings(root: string, mode: string): ModeSettings {
  const dir = join(root, "env", mode);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".env"))
    .map((f) => f.slice(0, -".env".length))
    .sort();
  const read = (name: string) => (files.includes(name) ? readEnvFile(join(dir, `${name}.env`)) : new Map<string, string>());
  const where = (name: string) => `env/${mode}/${name}.env`;
  for (const name of files) {
    if (!/^(cluster|console|namesrv(-\d+)?|broker(-.+)?)$/.test(name)) throw new Error(`${where(name)}: not a file the chart knows`);
  }
  const console = Object.keys(own(read("console")));
  if (console.length) throw new Error(`${where("console")}: the chart's console takes no variables from env/ (${console.join(", ")})`);

  const cluster = read("cluster");
  const groups: ModeSettings["groups"] = [];
  for (const file of files.filter((f) => f.startsWith("broker"))) {
    const env = read(file);
    const group = env.get("BROKER_NAME") ?? cluster.get("BROKER_NAME");
    if (!group) throw new Error(`${where(file)}: no BROKER_NAME here or in cluster.env`);
    // compose/single.yml's one broker is `broker`; the chart names every node after its group, as the other modes' files are.
    const name = file === "broker" ? group : file;
    if (name !== group && !name.startsWith(`${group}-`)) throw new Error(`${where(file)}: the node ${name} is not in its group ${group}`);
    let entry = groups.find((g) => g.name === group);
    if (!entry) groups.push((entry = { name: group, nodes: [] }));
    entry.nodes.push({ name, env: own(env) });
  }
  if (!groups.length) throw new Error(`env/${mode}: no broker files`);

  // One name server per namesrv-<n>.env, or, without them, one per address the brokers register with.
  const numbered = files.filter((f) => /^namesrv-\d+$/.test(f)).sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
  const addresses = (cluster.get("NAMESRV_ADDR") ?? read(files.find((f) => f.startsWith("broker"))!).get("NAMESRV_ADDR") ?? "")
    .split(";")
    .filter(Boolean).length;
  if (numbered.length && numbered.length !== addresses)
    throw new Error(`env/${mode}: ${numbered.length} namesrv-<n>.env files, but the brokers' NAMESRV_ADDR has ${addresses} name servers`);
  const shared = own(read("namesrv"));
  const namesrvs = numbered.length
    ? numbered.map((f) => ({ env: { ...shared, ...own(read(f)) } }))
    : Array.from({ length: addresses }, () => ({ env: { ...shared } }));
  if (!namesrvs.length) throw new Error(`env/${mode}: no name servers (no namesrv-<n>.env, no NAMESRV_ADDR)`);

  return { cluster: own(cluster), groups, namesrvs };
}

export function renderModes(root: string = REPO_ROOT): string {
  const content: ModesFile = {
    modes: Object.fromEntries(CLUSTER_MODES.map((mode) => [mode, modeSettings(root, mode)])),
    proxy: { env: own(readEnvFile(join(root, "env", "proxy", "proxy.env"))) },
  };
  const header = [
    "# Generated from env/<mode>/*.env and env/proxy/proxy.env by `npm run chart-modes` (scripts/chart-modes.ts): do not edit.",
    "# Each mode's variables as the compose files set them, without the addresses and ports the chart derives.",
  ];
  return `${header.join("\n")}\n${stringify(content)}`;
}

/** Empty when modes.yaml is what `npm run chart-modes` writes; else what is wrong. */
export function outdatedModes(root: string = REPO_ROOT): string[] {
  const path = join(root, MODES_FILE);
  if (!existsSync(path)) return [`${MODES_FILE} does not exist: run \`npm run chart-modes\``];
  return readFileSync(path, "utf8") === renderModes(root) ? [] : [`${MODES_FILE} is out of date: run \`npm run chart-modes\``];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { check: { type: "boolean", default: false } } });
  try {
    if (values.check) {
      const problems = outdatedModes();
      for (const p of problems) process.stderr.write(`${p}\n`);
      process.exitCode = problems.length ? 1 : 0;
    } else {
      const path = join(REPO_ROOT, MODES_FILE);
      const text = renderModes();
      if (!existsSync(path) || readFileSync(path, "utf8") !== text) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text);
        process.stdout.write(`updated ${MODES_FILE}\n`);
      }
    }
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
