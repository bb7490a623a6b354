// What the health checks cost, side by side in one run on compose/2m-2s-sync.yml (two name servers, two masters,
// two slaves, the console and the bootstrap service):
//  - CPU per check, counted in the container's cgroup: the image's check (the watcher's verdict read by the shell),
//    the full check in Node (as every check ran before the watcher), and `docker exec <container> true`, the floor
//    that any exec-based check pays to Docker's exec machinery inside the container;
//  - CPU of the whole idle cluster over a window, as shipped and with every JVM node's check replaced by the full
//    check in Node every 5 s, plus what the watchers themselves spent;
//  - one idle name server and broker as our containers and the same JVMs run by hand on this host (bench/host.ts),
//    in the same window, with the broker's CPU by thread: where an idle cluster's CPU goes.
//   node bench/health.ts [--checks 20] [--idle-seconds 60]
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildImages } from "../src/images/build.ts";
import {
  cpuByThread,
  cpuOfContainer as cpuSeconds,
  cpuOfProcess as processCpuSeconds,
  docker,
  extractBare,
  freshNetwork,
  startBare,
  whenLogged,
} from "./host.ts";
import { machineLine, median, writeResult } from "./results.ts";

const { values } = parseArgs({ options: { checks: { type: "string", default: "20" }, "idle-seconds": { type: "string", default: "60" } } });
const checks = Number(values.checks);
const idleSeconds = Number(values["idle-seconds"]);

const PROJECT = "rmqbench-health";
const IMAGE = { namesrv: "rocketmq-appliance/namesrv:latest", broker: "rocketmq-appliance/broker:latest" };
const NETWORK = "rmqbench-health";
const IP = { namesrv: "10.79.0.11", broker: "10.79.0.12" };
/** How many of the idle broker's busiest thread names the results keep. */
const TOP_THREADS = 8;
/** The console's check before it was CommonJS: an ES module asking /healthz with fetch. */
const CONSOLE_CHECK_BEFORE =
  'const r = await fetch("http://127.0.0.1:8082/healthz", { signal: AbortSignal.timeout(2000) }); process.exit(r.ok ? 0 : 1);';
const JVM_SERVICES = ["namesrv-1", "namesrv-2", "broker-a", "broker-a-s", "broker-b", "broker-b-s"];

function containerId(service: string): string {
  return docker("compose", "-p", PROJECT, "-f", "compose/2m-2s-sync.yml", "ps", "-q", service).trim();
}

function up(overlay?: string): void {
  down();
  const files = ["-f", "compose/2m-2s-sync.yml", ...(overlay ? ["-f", overlay] : [])];
  const started = Date.now();
  docker("compose", "-p", PROJECT, ...files, "up", "-d", "--wait");
  console.log(`  cluster healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function down(): void {
  docker("compose", "-p", PROJECT, "-f", "compose/2m-2s-sync.yml", "down", "-v", "-t", "5");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU milliseconds of one `docker exec`, net of what the container spent meanwhile at its idle rate. */
async function execCpuMs(id: string, idleRate: number, command: string[]): Promise<number> {
  const c0 = cpuSeconds(id);
  const t0 = process.hrtime.bigint();
  try {
    docker("exec", id, ...command);
  } catch {
    // an unhealthy verdict exits 1: its cost counts all the same
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const used = cpuSeconds(id) - c0 - idleRate * wall;
  await sleep(200);
  return used * 1000;
}

async function idleRate(id: string, seconds = 3): Promise<number> {
  const c0 = cpuSeconds(id);
  await sleep(seconds * 1000);
  return (cpuSeconds(id) - c0) / seconds;
}

/** CPU share of one core that each container, and all together, spend over `seconds`. */
async function idleShares(seconds: number): Promise<{ total: number; byService: Record<string, number>; watchers: number }> {
  const services = docker("compose", "-p", PROJECT, "-f", "compose/2m-2s-sync.yml", "ps", "--services").trim().split("\n");
  const ids = Object.fromEntries(services.map((s) => [s, containerId(s)]));
  const watcherPids = Object.values(ids).flatMap((id) =>
    docker("top", id, "-eo", "pid,args")
      .split("\n")
      .filter((line) => line.includes("health.mjs watch"))
      .map((line) => Number(line.trim().split(/\s+/)[0])),
  );
  const before = Object.fromEntries(services.map((s) => [s, cpuSeconds(ids[s]!)]));
  const watchersBefore = watcherPids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  await sleep(seconds * 1000);
  const byService = Object.fromEntries(services.map((s) => [s, (cpuSeconds(ids[s]!) - before[s]!) / seconds]));
  const watchers = (watcherPids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0) - watchersBefore) / seconds;
  return { total: Object.values(byService).reduce((a, b) => a + b, 0), byService, watchers };
}

const pct = (share: number) => `${(share * 100).toFixed(2)} %`;

/**
 * CPU milliseconds per check of each command in the service's container, the commands taking turns `checks` times;
 * each median goes to the figures as `<service>.checkCpuMs.<kind>`.
 */
async function checkCpuMs<K extends string>(service: string, commands: Record<K, string[]>): Promise<Record<K, number>> {
  const id = containerId(service);
  const rate = await idleRate(id);
  const kinds = Object.keys(commands) as K[];
  const samples = new Map<K, number[]>(kinds.map((k) => [k, []]));
  for (let i = 0; i < checks; i++) for (const k of kinds) samples.get(k)!.push(await execCpuMs(id, rate, commands[k]));
  const medians = {} as Record<K, number>;
  for (const k of kinds) figures[`${service}.checkCpuMs.${k}`] = medians[k] = Math.round(median(samples.get(k)!) * 10) / 10;
  return medians;
}

await buildImages();
console.log(`machine: ${machineLine()}`);
const figures: Record<string, number> = { checks, idleSeconds };

try {
  console.log("2m-2s-sync as shipped");
  up();
  // Let the boot's compilation and the first registrations settle before measuring.
  await sleep(15_000);
  for (const service of ["namesrv-1", "broker-a-s"]) {
    const ms = await checkCpuMs(service, {
      image: ["docker-entrypoint", "healthcheck"],
      fullNode: ["node", "/opt/appliance/appliance.mjs", "healthcheck"],
      execTrue: ["true"],
    });
    console.log(
      `  ${service}: CPU per check, median of ${checks}: the image's ${ms.image} ms, ` +
        `the full check in Node ${ms.fullNode} ms, docker exec of true ${ms.execTrue} ms`,
    );
  }
  // The console's image has Node and no shell: its check is a Node start, as CommonJS with Node's http client; before,
  // an ES module with fetch, measured here as it was.
  const ms = await checkCpuMs("console", {
    image: ["/usr/local/bin/node", "/opt/console/healthcheck.cjs"],
    before: ["/usr/local/bin/node", "--input-type=module", "-e", CONSOLE_CHECK_BEFORE],
    nodeStart: ["/usr/local/bin/node", "-e", "0"],
  });
  console.log(
    `  console: CPU per check, median of ${checks}: the image's ${ms.image} ms, ` +
      `as before (ES module, fetch) ${ms.before} ms, node -e 0 ${ms.nodeStart} ms`,
  );
  const shipped = await idleShares(idleSeconds);
  figures["idle.shipped.coreShare"] = shipped.total;
  figures["idle.shipped.watchersCoreShare"] = shipped.watchers;
  for (const [s, share] of Object.entries(shipped.byService)) figures[`idle.shipped.${s}.coreShare`] = share;
  console.log(`  idle over ${idleSeconds} s: ${pct(shipped.total)} of one core in all; the six watchers ${pct(shipped.watchers)}`);
  for (const [s, share] of Object.entries(shipped.byService)) console.log(`    ${s}: ${pct(share)}`);

  console.log("2m-2s-sync with every JVM node's check as the full check in Node every 5 s (as before the watcher)");
  const overlay = join(tmpdir(), "rmqbench-health-fullnode.yml");
  writeFileSync(
    overlay,
    "services:\n" +
      JVM_SERVICES.map(
        (s) =>
          `  ${s}:\n    healthcheck:\n      test: ["CMD", "node", "/opt/appliance/appliance.mjs", "healthcheck"]\n      interval: 5s\n`,
      ).join(""),
  );
  up(overlay);
  await sleep(15_000);
  const fullNode = await idleShares(idleSeconds);
  figures["idle.fullNode.coreShare"] = fullNode.total;
  // As the images were before the watcher: without the watchers, which still run here.
  figures["idle.before.coreShare"] = fullNode.total - fullNode.watchers;
  console.log(
    `  idle over ${idleSeconds} s: ${pct(fullNode.total)} of one core in all (the watchers, still running, ${pct(fullNode.watchers)})`,
  );
} finally {
  down();
}

console.log("one name server and broker, idle, in the same window: our containers and the same JVMs by hand");
freshNetwork(NETWORK, "10.79.0.0/24");
const extracted = extractBare(IMAGE);
const bare = startBare(extracted, "idle", 100);
try {
  for (const role of ["namesrv", "broker"] as const) {
    docker("rm", "-f", "-v", `rmqbench-health-${role}`);
    const env = role === "broker" ? ["-e", `NAMESRV_ADDR=${IP.namesrv}:9876`] : [];
    docker("run", "-d", "--name", `rmqbench-health-${role}`, "--network", NETWORK, "--ip", IP[role], "--memory", "1g", ...env, IMAGE[role]);
  }
  const logs = spawn("docker", ["logs", "-f", "rmqbench-health-broker"], { stdio: ["ignore", "pipe", "pipe"] });
  await Promise.all([whenLogged(logs, "boot success"), whenLogged(bare.broker, "boot success")]);
  logs.kill();
  await sleep(15_000);
  // The container's PID 1 is its JVM (the entrypoint execs it); the cgroup adds the health watcher and the checks.
  const jvmPid = (role: string) => Number(docker("inspect", "-f", "{{.State.Pid}}", `rmqbench-health-${role}`).trim());
  const pids = {
    container: [jvmPid("namesrv"), jvmPid("broker")],
    bare: [bare.namesrv.pid!, bare.broker.pid!],
  };
  const cgroups = () => cpuSeconds("rmqbench-health-namesrv") + cpuSeconds("rmqbench-health-broker");
  const jvms = (kind: keyof typeof pids) => pids[kind].reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  const before = { cgroups: cgroups(), container: jvms("container"), bare: jvms("bare") };
  const threadsBefore = { container: cpuByThread(pids.container[1]!), bare: cpuByThread(pids.bare[1]!) };
  await sleep(idleSeconds * 1000);
  figures["idle.single.containers.coreShare"] = (cgroups() - before.cgroups) / idleSeconds;
  figures["idle.single.containerJvms.coreShare"] = (jvms("container") - before.container) / idleSeconds;
  figures["idle.single.bare.coreShare"] = (jvms("bare") - before.bare) / idleSeconds;
  figures["idle.single.ratioToBare"] = figures["idle.single.containers.coreShare"]! / figures["idle.single.bare.coreShare"]!;
  console.log(
    `  over ${idleSeconds} s: containers ${pct(figures["idle.single.containers.coreShare"]!)} (their JVMs ` +
      `${pct(figures["idle.single.containerJvms.coreShare"]!)}), by hand ${pct(figures["idle.single.bare.coreShare"]!)}`,
  );
  for (const kind of ["container", "bare"] as const) {
    const after = cpuByThread(pids[kind][1]!);
    const shares = [...after].map(([name, s]) => [name, Math.max(0, s - (threadsBefore[kind].get(name) ?? 0)) / idleSeconds] as const);
    const busiest = shares.sort((a, b) => b[1] - a[1]).slice(0, TOP_THREADS);
    for (const [name, share] of busiest) figures[`idle.threads.${kind}.${name}`] = share;
    console.log(`  the broker's busiest threads (${kind}): ${busiest.map(([n, sh]) => `${n} ${pct(sh)}`).join(", ")}`);
  }
} finally {
  await bare.stop();
  for (const role of ["broker", "namesrv"] as const) docker("rm", "-f", "-v", `rmqbench-health-${role}`);
  docker("network", "rm", NETWORK);
  rmSync(extracted.dir, { recursive: true, force: true });
}
figures["idle.ratio"] = figures["idle.shipped.coreShare"]! / figures["idle.before.coreShare"]!;
console.log(`idle cluster, shipped / before the watcher: ${figures["idle.ratio"]!.toFixed(2)}`);
writeResult("health", figures);
