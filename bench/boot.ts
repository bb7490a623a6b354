// Start-up, side by side in one run: a name server and a broker (RocketMQ 5.5.0, 1 GiB each) started together as
//  - "container": our images as shipped (class-data sharing with each role's archive);
//  - "containerBaseCds": our images with the JDK's own archive only (JAVA_OPT_EXT points the JVM at it), to show
//    what the roles' archives bring;
//  - "bare": the same Java runtime, jars, rendered argfile and config, extracted from the images and run directly
//    on this host, as RocketMQ run by hand starts (the JDK's own archive, as every `java` has).
// Runs alternate between the variants. Each measures: start → the broker logs "boot success"; start → the first
// message sent and consumed by the official Java client on the host (started at the broker's boot success); the CPU
// seconds both nodes spent until the broker's boot success (cgroups for containers, /proc for the host JVMs).
//   npm run bench [-- --runs 5]
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildImages } from "../src/images/build.ts";
import { prepareJavaClient, runJavaClientOnHost } from "../test/clients/java-client.ts";
import { cpuOfContainer, cpuOfProcess, docker, extractBare, freshNetwork, startBare, whenLogged, type BareRocketMQ } from "./host.ts";
import { machineLine, median, writeResult } from "./results.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Number(values.runs);
const IMAGE = { namesrv: "rocketmq-appliance/namesrv:5.5.0", broker: "rocketmq-appliance/broker:5.5.0" };
const NETWORK = "rmqbench-boot";
const SUBNET = "10.78.0.0/24";
const IP = { namesrv: "10.78.0.11", broker: "10.78.0.12" };

interface Run {
  bootSeconds: number;
  firstMessageSeconds: number;
  cpuSeconds: number;
}

async function firstMessage(namesrv: string, tag: string): Promise<void> {
  const runId = `${tag}-${Date.now()}`;
  const r = await runJavaClientOnHost(
    ["--namesrv", namesrv, "--topic", "BootTopic", "--count", "1", "--mode", "both", "--create-topic", "--run-id", runId, "--group", runId],
    { timeoutMs: 120_000, jit: "full" },
  );
  if (!/RECEIVED 1\b/.test(r.stdout)) throw new Error(`${tag}: no message came back:\n${r.stdout}${r.stderr}`);
}

// ---- containers

async function containerRun(javaOptExt?: string): Promise<Run> {
  for (const role of ["broker", "namesrv"] as const) docker("rm", "-f", "-v", `rmqbench-boot-${role}`);
  const t0 = performance.now();
  const started = (["namesrv", "broker"] as const).map((role) => {
    const args = ["run", "-d", "--name", `rmqbench-boot-${role}`, "--network", NETWORK, "--ip", IP[role], "--memory", "1g"];
    if (role === "broker") args.push("-e", `NAMESRV_ADDR=${IP.namesrv}:9876`);
    if (javaOptExt) args.push("-e", `JAVA_OPT_EXT=${javaOptExt}`);
    return new Promise<void>((resolve, reject) =>
      spawn("docker", [...args, IMAGE[role]], { stdio: "ignore" }).on("exit", (code) =>
        code === 0 ? resolve() : reject(new Error(`docker run ${role}: ${code}`)),
      ),
    );
  });
  await Promise.all(started);
  const logs = spawn("docker", ["logs", "-f", "rmqbench-boot-broker"], { stdio: ["ignore", "pipe", "pipe"] });
  const booted = await whenLogged(logs, "boot success");
  const cpuSeconds = cpuOfContainer("rmqbench-boot-namesrv") + cpuOfContainer("rmqbench-boot-broker");
  logs.kill();
  await firstMessage(`${IP.namesrv}:9876`, "container");
  const done = performance.now();
  for (const role of ["broker", "namesrv"] as const) docker("rm", "-f", "-v", `rmqbench-boot-${role}`);
  return { bootSeconds: (booted - t0) / 1000, firstMessageSeconds: (done - t0) / 1000, cpuSeconds };
}

// ---- bare JVMs on the host

async function bareRun(x: BareRocketMQ, i: number): Promise<Run> {
  const t0 = performance.now();
  const bare = startBare(x, `run-${i}`);
  try {
    const booted = await whenLogged(bare.broker, "boot success");
    const cpuSeconds = cpuOfProcess(bare.namesrv.pid!) + cpuOfProcess(bare.broker.pid!);
    await firstMessage("127.0.0.1:9876", "bare");
    const done = performance.now();
    return { bootSeconds: (booted - t0) / 1000, firstMessageSeconds: (done - t0) / 1000, cpuSeconds };
  } finally {
    await bare.stop();
  }
}

// ---- the run

await buildImages();
await prepareJavaClient();
console.log(`machine: ${machineLine()}`);
freshNetwork(NETWORK, SUBNET);
const extracted = extractBare(IMAGE);
const variants = {
  bare: (i: number) => bareRun(extracted, i),
  container: () => containerRun(),
  containerBaseCds: () => containerRun("-XX:SharedArchiveFile=/opt/java/lib/server/classes.jsa"),
} as const;
const results: Record<keyof typeof variants, Run[]> = { bare: [], container: [], containerBaseCds: [] };
try {
  // One warm-up of each (page cache, the client's first compile), not counted.
  for (const [name, once] of Object.entries(variants)) {
    await once(-1);
    console.log(`  warm-up ${name} done`);
  }
  for (let i = 0; i < runs; i++) {
    for (const [name, once] of Object.entries(variants) as [keyof typeof variants, (i: number) => Promise<Run>][]) {
      const r = await once(i);
      results[name].push(r);
      console.log(
        `  run ${i + 1} ${name}: boot success ${r.bootSeconds.toFixed(2)} s, first message ${r.firstMessageSeconds.toFixed(2)} s, CPU ${r.cpuSeconds.toFixed(2)} s`,
      );
    }
  }
} finally {
  for (const role of ["broker", "namesrv"] as const) docker("rm", "-f", "-v", `rmqbench-boot-${role}`);
  docker("network", "rm", NETWORK);
  rmSync(extracted.dir, { recursive: true, force: true });
}

const figures: Record<string, number> = { runs };
for (const [name, rs] of Object.entries(results)) {
  for (const measure of ["bootSeconds", "firstMessageSeconds", "cpuSeconds"] as const) {
    const xs = rs.map((r) => r[measure]);
    figures[`${name}.${measure}.median`] = median(xs);
    figures[`${name}.${measure}.min`] = Math.min(...xs);
    figures[`${name}.${measure}.max`] = Math.max(...xs);
  }
}
for (const name of ["container", "containerBaseCds"] as const) {
  for (const measure of ["bootSeconds", "firstMessageSeconds", "cpuSeconds"] as const) {
    figures[`${name}.${measure}.ratioToBare`] = figures[`${name}.${measure}.median`]! / figures[`bare.${measure}.median`]!;
  }
}
console.log(
  `medians, container / bare: boot ${figures["container.bootSeconds.ratioToBare"]!.toFixed(2)}, first message ${figures["container.firstMessageSeconds.ratioToBare"]!.toFixed(2)}, CPU ${figures["container.cpuSeconds.ratioToBare"]!.toFixed(2)}`,
);
writeResult("boot", figures);
