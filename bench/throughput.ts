// Sync-send throughput and latency (1 KiB bodies, 1 and 4 threads, the official Java client), side by side in one
// run, a name server and a broker (RocketMQ 5.5.0, 1 GiB each) reached over each path a user has:
//  - bare: the same runtime, jars, argfile and config run directly on the host; the client on the host;
//  - containerAddress: our containers on a compose-style network, the client on the host dialling the address the
//    broker advertises by default (its container address, over the bridge);
//  - publishedPorts: the ports published on 127.0.0.1 and BROKER_IP1=127.0.0.1, as for clients that only reach the
//    host (Docker's port forwarding in between);
//  - otherContainer: the client in another container on the same network;
//  - hostNetwork: our containers with --network host (Linux), the client on the host.
// The host's clients and bare JVMs run in CPU groups of their own (cpuGroups in host.ts), as a service manager runs
// them; bareOneGroup and containerAddressOneGroup repeat two paths with every host process in the root group.
// Each path's ratio is given twice: of the medians, and paired (the median of each round's ratio to the bare JVMs of
// the same round, which a machine's drift over the run moves less). `--paths` measures only the paths named (with the
// bare JVMs they are compared with) and writes bench/results/throughput-paths.json: more rounds in the same time.
//   node bench/throughput.ts [--seconds 15] [--rounds 1] [--paths hostNetwork,containerAddress]
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildImages } from "../src/images/build.ts";
import { javaClientContainerCommand, prepareJavaClient, runJavaClientOnHost } from "../test/clients/java-client.ts";
import { cpuGroups, docker, extractBare, freshNetwork, startBare, whenLogged } from "./host.ts";
import { machineLine, median, writeResult } from "./results.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "15" }, rounds: { type: "string", default: "1" }, paths: { type: "string" } },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const VARIANTS = [
  "bare",
  "containerAddress",
  "publishedPorts",
  "otherContainer",
  "hostNetwork",
  "bareOneGroup",
  "containerAddressOneGroup",
] as const;
type Variant = (typeof VARIANTS)[number];
/** The bare JVMs a path is compared with: run the same way, in CPU groups of their own or all in the root group. */
const bareOf = (variant: Variant): Variant => (variant.endsWith("OneGroup") ? "bareOneGroup" : "bare");
/** The paths measured: all, or those --paths names and the bare JVMs each is compared with. */
const chosen = new Set<Variant>(VARIANTS);
if (values.paths !== undefined) {
  const named = values.paths.split(",").filter(Boolean);
  const unknown = named.filter((n) => !(VARIANTS as readonly string[]).includes(n));
  if (unknown.length || !named.length) {
    const what = unknown.length ? `${unknown.join(", ")}: no such path` : "no path named";
    console.error(`--paths: ${what}; allowed, separated by commas: ${VARIANTS.join(", ")}`);
    process.exit(2);
  }
  chosen.clear();
  for (const n of named as Variant[]) chosen.add(n).add(bareOf(n));
}
const IMAGE = { namesrv: "rocketmq-appliance/namesrv:5.5.0", broker: "rocketmq-appliance/broker:5.5.0" };
const NETWORK = "rmqbench-tput";
const IP = { namesrv: "10.79.0.11", broker: "10.79.0.12" };
const THREADS = [1, 4];

interface Perf {
  msgPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

function parsePerf(stdout: string, label: string): Perf {
  const line = stdout.split("\n").find((l) => l.startsWith("PERF "));
  if (!line) throw new Error(`${label}: no PERF line:\n${stdout.slice(-3000)}`);
  return JSON.parse(line.slice("PERF ".length)) as Perf;
}

function perfArgs(namesrv: string, threads: number, runSeconds = seconds): string[] {
  const runId = `tput-${Date.now()}`;
  return ["--namesrv", namesrv, "--topic", "PerfTopic", "--mode", "perf", "--create-topic", "--threads", String(threads)].concat([
    "--seconds",
    String(runSeconds),
    "--run-id",
    runId,
    "--group",
    runId,
    "--timeout-seconds",
    String(runSeconds + 60),
  ]);
}

async function onHost(namesrv: string, threads: number, label: string, runSeconds = seconds): Promise<Perf> {
  const r = await runJavaClientOnHost(perfArgs(namesrv, threads, runSeconds), { timeoutMs: (runSeconds + 90) * 1000, jit: "full" });
  return parsePerf(r.stdout + "\n" + r.stderr, label);
}

/**
 * Sends for a while, unmeasured, after every start: the broker's JIT then has compiled the send path, so that no
 * path is measured against a colder broker than another (the first client after a start would be).
 */
const WARM_UP_SECONDS = 8;
const warmUp = (namesrv: string) => onHost(namesrv, 4, "warm-up", WARM_UP_SECONDS);

function inContainer(namesrv: string, threads: number, label: string): Perf {
  const { binds, cmd } = javaClientContainerCommand(perfArgs(namesrv, threads), "full");
  const out = docker(
    "run",
    "--rm",
    "--network",
    NETWORK,
    ...binds.flatMap((b) => ["-v", b]),
    "--entrypoint",
    cmd[0]!,
    IMAGE.broker,
    ...cmd.slice(1),
  );
  return parsePerf(out, label);
}

/** Starts the two containers and waits for the broker's boot success. */
async function startContainers(options: { hostNetwork?: boolean; published?: boolean }): Promise<void> {
  removeContainers();
  for (const role of ["namesrv", "broker"] as const) {
    const args = ["run", "-d", "--name", `rmqbench-tput-${role}`, "--memory", "1g"];
    if (options.hostNetwork) args.push("--network", "host");
    else args.push("--network", NETWORK, "--ip", IP[role]);
    if (role === "broker") {
      const namesrv = options.hostNetwork ? "127.0.0.1" : IP.namesrv;
      args.push("-e", `NAMESRV_ADDR=${namesrv}:9876`);
      if (options.hostNetwork || options.published) args.push("-e", "BROKER_IP1=127.0.0.1");
      if (options.published) for (const p of [10909, 10911, 10912]) args.push("-p", `127.0.0.1:${p}:${p}`);
    } else if (options.published) args.push("-p", "127.0.0.1:9876:9876");
    docker(...args, IMAGE[role]);
  }
  const logs = spawn("docker", ["logs", "-f", "rmqbench-tput-broker"], { stdio: ["ignore", "pipe", "pipe"] });
  await whenLogged(logs, "boot success");
  logs.kill();
  await warmUp(options.hostNetwork || options.published ? "127.0.0.1:9876" : `${IP.namesrv}:9876`);
}

function removeContainers(): void {
  // With their anonymous volumes (the store): left behind, every start's commit log would stay on the disk.
  for (const role of ["broker", "namesrv"] as const) docker("rm", "-f", "-v", `rmqbench-tput-${role}`);
}

const results: Record<string, Perf[]> = {};
const record = (variant: Variant, threads: number, p: Perf) => {
  (results[`${variant}.t${threads}`] ??= []).push(p);
  console.log(
    `  ${variant}, ${threads} thread(s): ${Math.round(p.msgPerSec)} msg/s, p50 ${p.p50Ms.toFixed(2)} ms, p99 ${p.p99Ms.toFixed(2)} ms`,
  );
};

await buildImages();
await prepareJavaClient();
console.log(`machine: ${machineLine()}`);
freshNetwork(NETWORK, "10.79.0.0/24");
const bare = extractBare(IMAGE);
const groups = cpuGroups();
groups.enter("client");
// The paths, in stages that each start the JVMs afresh (the paths of one stage share its start); the stages' order
// turns by one every round, so that none is always measured first or last in a run (these machines drift within minutes).
// Each stage runs the chosen ones of its variants.
const stages: { variants: Variant[]; run: (chosenHere: Variant[]) => Promise<void> }[] = [
  {
    variants: ["bare", "bareOneGroup"],
    run: async (chosenHere) => {
      removeContainers(); // --network host's would hold the ports
      // Without CPU groups, every process is in the root group already: bareOneGroup would repeat bare.
      for (const variant of chosenHere.filter((v) => v === "bare" || groups.available)) {
        if (variant === "bareOneGroup") groups.enter("root");
        const host = startBare(bare, `${variant}-${Date.now()}`);
        try {
          if (variant === "bare") for (const jvm of [host.namesrv, host.broker]) groups.place(jvm.pid!);
          await whenLogged(host.broker, "boot success");
          await warmUp("127.0.0.1:9876");
          for (const t of THREADS) record(variant, t, await onHost("127.0.0.1:9876", t, variant));
        } finally {
          await host.stop();
          groups.enter("client");
        }
      }
    },
  },
  {
    variants: ["containerAddress", "containerAddressOneGroup", "otherContainer"],
    run: async (chosenHere) => {
      await startContainers({});
      if (chosenHere.includes("containerAddress"))
        for (const t of THREADS) record("containerAddress", t, await onHost(`${IP.namesrv}:9876`, t, "containerAddress"));
      if (groups.available && chosenHere.includes("containerAddressOneGroup")) {
        groups.enter("root");
        for (const t of THREADS) record("containerAddressOneGroup", t, await onHost(`${IP.namesrv}:9876`, t, "containerAddressOneGroup"));
        groups.enter("client");
      }
      if (chosenHere.includes("otherContainer"))
        for (const t of THREADS) record("otherContainer", t, inContainer(`${IP.namesrv}:9876`, t, "otherContainer"));
    },
  },
  {
    variants: ["publishedPorts"],
    run: async () => {
      await startContainers({ published: true });
      for (const t of THREADS) record("publishedPorts", t, await onHost("127.0.0.1:9876", t, "publishedPorts"));
    },
  },
  {
    variants: ["hostNetwork"],
    run: async () => {
      await startContainers({ hostNetwork: true });
      for (const t of THREADS) record("hostNetwork", t, await onHost("127.0.0.1:9876", t, "hostNetwork"));
    },
  },
];
const running = stages
  .map((s) => ({ run: s.run, chosenHere: s.variants.filter((v) => chosen.has(v)) }))
  .filter((s) => s.chosenHere.length > 0);
try {
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < running.length; i++) {
      const stage = running[(round + i) % running.length]!;
      await stage.run(stage.chosenHere);
    }
    removeContainers();
  }
} finally {
  removeContainers();
  groups.remove();
  docker("network", "rm", NETWORK);
  rmSync(bare.dir, { recursive: true, force: true });
}

const figures: Record<string, number> = { seconds, rounds, warmUpSeconds: WARM_UP_SECONDS, cpuGroups: groups.available ? 1 : 0 };
for (const [key, ps] of Object.entries(results)) {
  figures[`${key}.msgPerSec`] = Math.round(median(ps.map((p) => p.msgPerSec)));
  figures[`${key}.p50Ms`] = median(ps.map((p) => p.p50Ms));
  figures[`${key}.p99Ms`] = median(ps.map((p) => p.p99Ms));
}
// Each path against the bare JVMs run the same way: in groups of their own, or all in the root group.
for (const key of Object.keys(results).filter((k) => !k.startsWith("bare"))) {
  const [variant, threads] = key.split(".");
  const base = `${bareOf(variant as Variant)}.${threads}`;
  figures[`${key}.throughputRatio`] = figures[`${key}.msgPerSec`]! / figures[`${base}.msgPerSec`]!;
  figures[`${key}.p99Ratio`] = figures[`${key}.p99Ms`]! / figures[`${base}.p99Ms`]!;
  // Round by round: each path is measured once a round, so the i-th figures of two paths are of the same round.
  const paired = (measure: "msgPerSec" | "p99Ms") => results[key]!.map((p, i) => p[measure] / results[base]![i]![measure]);
  const ratios = paired("msgPerSec");
  figures[`${key}.pairedThroughputRatio`] = median(ratios);
  figures[`${key}.pairedThroughputRatioMin`] = Math.min(...ratios);
  figures[`${key}.pairedThroughputRatioMax`] = Math.max(...ratios);
  figures[`${key}.pairedP99Ratio`] = median(paired("p99Ms"));
}
writeResult(values.paths === undefined ? "throughput" : "throughput-paths", figures);
