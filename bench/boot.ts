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
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT, buildImages } from "../src/images/build.ts";
import { prepareJavaClient, runJavaClientOnHost } from "../test/clients/java-client.ts";
import { machineLine, median, writeResult } from "./results.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Number(values.runs);
const docker = (...args: string[]): string =>
  execFileSync("docker", args, { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const IMAGE = { namesrv: "rocketmq-appliance/namesrv:5.5.0", broker: "rocketmq-appliance/broker:5.5.0" };
const NETWORK = "rmqbench-boot";
const SUBNET = "10.78.0.0/24";
const IP = { namesrv: "10.78.0.11", broker: "10.78.0.12" };
type Role = keyof typeof IMAGE;

interface Run {
  bootSeconds: number;
  firstMessageSeconds: number;
  cpuSeconds: number;
}

/** Resolves with the time `pattern` first appears in the output of `child`, read as it comes. */
function whenLogged(child: ChildProcess, pattern: string, timeoutMs = 120_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no "${pattern}" within ${timeoutMs} ms:\n${seen.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(pattern)) {
        clearTimeout(timer);
        resolve(performance.now());
      } else if (seen.length > 1e6) seen = seen.slice(-1e5);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
  });
}

function cpuOfContainer(name: string): number {
  const id = docker("inspect", "-f", "{{.Id}}", name).trim();
  for (const [path, scale] of [
    [`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, 1e9],
    [`/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`, 0],
    [`/sys/fs/cgroup/docker/${id}/cpu.stat`, 0],
  ] as const) {
    try {
      const text = readFileSync(path, "utf8");
      return scale ? Number(text) / scale : Number(/^usage_usec (\d+)/m.exec(text)?.[1]) / 1e6;
    } catch {
      // another cgroup layout
    }
  }
  throw new Error(`no CPU counter for container ${name}`);
}

function cpuOfProcess(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function firstMessage(namesrv: string, tag: string): Promise<void> {
  const runId = `${tag}-${Date.now()}`;
  const r = await runJavaClientOnHost(
    ["--namesrv", namesrv, "--topic", "BootTopic", "--count", "1", "--mode", "both", "--create-topic", "--run-id", runId, "--group", runId],
    { timeoutMs: 120_000 },
  );
  if (!/RECEIVED 1\b/.test(r.stdout)) throw new Error(`${tag}: no message came back:\n${r.stdout}${r.stderr}`);
}

// ---- containers

async function containerRun(javaOptExt?: string): Promise<Run> {
  for (const role of ["broker", "namesrv"] as const) docker("rm", "-f", `rmqbench-boot-${role}`);
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
  for (const role of ["broker", "namesrv"] as const) docker("rm", "-f", `rmqbench-boot-${role}`);
  return { bootSeconds: (booted - t0) / 1000, firstMessageSeconds: (done - t0) / 1000, cpuSeconds };
}

// ---- bare JVMs on the host

interface Extracted {
  dir: string;
  argfile: Record<Role, string[]>;
  conf: Record<Role, string>;
}

/** The runtime and jars from the broker image, and each role's argfile and config as its image renders them under 1 GiB. */
function extract(): Extracted {
  const dir = mkdtempSync(join(tmpdir(), "rmqbench-bare-"));
  docker("rm", "-f", "rmqbench-extract");
  docker("create", "--name", "rmqbench-extract", IMAGE.broker);
  docker("cp", "rmqbench-extract:/opt/java", join(dir, "java"));
  docker("cp", "rmqbench-extract:/opt/rocketmq", join(dir, "rocketmq"));
  docker("rm", "-f", "rmqbench-extract");
  const argfile = {} as Record<Role, string[]>;
  const conf = {} as Record<Role, string>;
  for (const role of ["namesrv", "broker"] as const) {
    const env = role === "broker" ? ["-e", "NAMESRV_ADDR=127.0.0.1:9876", "-e", "BROKER_IP1=127.0.0.1"] : [];
    const confName = role === "broker" ? "broker.conf" : "namesrv.conf";
    const out = docker(
      "run",
      "--rm",
      "--memory",
      "1g",
      ...env,
      "--entrypoint",
      "sh",
      IMAGE[role],
      "-c",
      `node /opt/appliance/appliance.mjs prepare >/dev/null 2>&1 && cat /tmp/rocketmq/jvm.args && echo ===== && cat /tmp/rocketmq/${confName}`,
    );
    const [args, config] = out.split("=====\n");
    // One argument per line, quoted (renderArgFile); the role's archive left out: RocketMQ run by hand has none.
    argfile[role] = args!
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as string)
      .filter((a) => !a.startsWith("-XX:SharedArchiveFile"));
    conf[role] = config!;
  }
  return { dir, argfile, conf };
}

async function bareRun(x: Extracted, i: number): Promise<Run> {
  const run = join(x.dir, `run-${i}`);
  const paths = (s: string) =>
    s
      .replaceAll("/opt/rocketmq", join(x.dir, "rocketmq"))
      .replaceAll("/tmp/rocketmq", join(run, "runtime"))
      .replaceAll("/home/rocketmq", join(run, "home"));
  mkdirSync(join(run, "runtime"), { recursive: true });
  mkdirSync(join(run, "home", "logs"), { recursive: true });
  const children: ChildProcess[] = [];
  const t0 = performance.now();
  for (const role of ["namesrv", "broker"] as const) {
    writeFileSync(join(run, "runtime", role === "broker" ? "broker.conf" : "namesrv.conf"), paths(x.conf[role]));
    children.push(
      spawn(join(x.dir, "java", "bin", "java"), x.argfile[role].map(paths), { cwd: join(run, "home"), stdio: ["ignore", "pipe", "pipe"] }),
    );
  }
  try {
    const booted = await whenLogged(children[1]!, "boot success");
    const cpuSeconds = children.reduce((sum, c) => sum + cpuOfProcess(c.pid!), 0);
    await firstMessage("127.0.0.1:9876", "bare");
    const done = performance.now();
    return { bootSeconds: (booted - t0) / 1000, firstMessageSeconds: (done - t0) / 1000, cpuSeconds };
  } finally {
    for (const c of children) c.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 500));
    rmSync(run, { recursive: true, force: true });
  }
}

// ---- the run

await buildImages();
await prepareJavaClient();
console.log(`machine: ${machineLine()}`);
try {
  docker("network", "rm", NETWORK);
} catch {
  // none left over
}
docker("network", "create", "--subnet", SUBNET, NETWORK);
const extracted = extract();
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
  for (const role of ["broker", "namesrv"] as const) docker("rm", "-f", `rmqbench-boot-${role}`);
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
