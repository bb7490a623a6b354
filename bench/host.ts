// What the benches read from this host: CPU counters of containers (their cgroups) and of processes (/proc), and
// RocketMQ's own jars, runtime, argfile and config extracted from an image to run the same JVMs directly on the host.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../src/images/build.ts";

export const docker = (...args: string[]): string =>
  execFileSync("docker", args, { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** CPU seconds a container has used: its cgroup's counter (cgroup v1 or v2, cgroupfs or systemd driver). */
export function cpuOfContainer(nameOrId: string): number {
  const id = docker("inspect", "-f", "{{.Id}}", nameOrId).trim();
  const candidates: [string, (text: string) => number][] = [
    [`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, (t) => Number(t) / 1e9],
    [`/sys/fs/cgroup/cpu,cpuacct/docker/${id}/cpuacct.usage`, (t) => Number(t) / 1e9],
    [`/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`, usageUsec],
    [`/sys/fs/cgroup/docker/${id}/cpu.stat`, usageUsec],
  ];
  for (const [path, parse] of candidates) {
    try {
      return parse(readFileSync(path, "utf8"));
    } catch {
      // not this layout
    }
  }
  throw new Error(`no CPU counter found for container ${nameOrId} under /sys/fs/cgroup`);
}

function usageUsec(text: string): number {
  return Number(/^usage_usec (\d+)/m.exec(text)?.[1]) / 1e6;
}

/** CPU seconds of one host process (utime + stime from /proc/<pid>/stat, in clock ticks of 1/100 s). */
export function cpuOfProcess(pid: number): number {
  return statOf(readFileSync(`/proc/${pid}/stat`, "utf8")).cpuSeconds;
}

/** A /proc stat line's name and CPU seconds; the name is in parentheses and may hold spaces or parentheses. */
function statOf(stat: string): { name: string; cpuSeconds: number } {
  const close = stat.lastIndexOf(")");
  const fields = stat.slice(close + 2).split(" ");
  return { name: stat.slice(stat.indexOf("(") + 1, close), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 };
}

/**
 * CPU seconds of a host process by thread name, digits as `#` so that a pool's threads add up. The JVM names its
 * native threads after the Java ones (the first 15 characters), so this says which of RocketMQ's services spend.
 */
export function cpuByThread(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    } catch {
      continue; // the thread ended meanwhile
    }
    const { name, cpuSeconds } = statOf(stat);
    const pool = name.replace(/\d+/g, "#");
    byName.set(pool, (byName.get(pool) ?? 0) + cpuSeconds);
  }
  return byName;
}

/** Resolves with performance.now() when `pattern` first appears in the output of `child`. */
export function whenLogged(child: ChildProcess, pattern: string, timeoutMs = 120_000): Promise<number> {
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

export type JvmRole = "namesrv" | "broker";
const CONF_NAME: Record<JvmRole, string> = { namesrv: "namesrv.conf", broker: "broker.conf" };

export interface BareRocketMQ {
  dir: string;
  argfile: Record<JvmRole, string[]>;
  conf: Record<JvmRole, string>;
}

/**
 * The Java runtime and jars of `images.broker`, and each role's argfile and config as its image renders them under
 * `memory` (one limit for both, or one per role; the broker advertising 127.0.0.1 and registering with 127.0.0.1:9876); without the roles' class-data
 * archives, which RocketMQ run by hand does not have.
 */
export function extractBare(images: Record<JvmRole, string>, memory: string | Record<JvmRole, string> = "1g"): BareRocketMQ {
  const dir = mkdtempSync(join(tmpdir(), "rmqbench-bare-"));
  docker("rm", "-f", "-v", "rmqbench-extract");
  docker("create", "--name", "rmqbench-extract", images.broker);
  docker("cp", "rmqbench-extract:/opt/java", join(dir, "java"));
  docker("cp", "rmqbench-extract:/opt/rocketmq", join(dir, "rocketmq"));
  docker("rm", "-f", "-v", "rmqbench-extract");
  const argfile = {} as Record<JvmRole, string[]>;
  const conf = {} as Record<JvmRole, string>;
  for (const role of ["namesrv", "broker"] as const) {
    const env = role === "broker" ? ["-e", "NAMESRV_ADDR=127.0.0.1:9876", "-e", "BROKER_IP1=127.0.0.1"] : [];
    const script = `node /opt/appliance/appliance.mjs prepare >/dev/null 2>&1 && cat /tmp/rocketmq/jvm.args && echo ===== && cat /tmp/rocketmq/${CONF_NAME[role]}`;
    const limit = typeof memory === "string" ? memory : memory[role];
    const out = docker("run", "--rm", "--memory", limit, ...env, "--entrypoint", "sh", images[role], "-c", script);
    const [args, config] = out.split("=====\n");
    argfile[role] = args!
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as string)
      .filter((a) => !a.startsWith("-XX:SharedArchiveFile"));
    conf[role] = config!;
  }
  return { dir, argfile, conf };
}

export interface StartedBare {
  namesrv: ChildProcess;
  broker: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the extracted name server and broker on this host, in a fresh store under `run`, ports moved by `portOffset`. */
export function startBare(x: BareRocketMQ, run: string, portOffset = 0): StartedBare {
  const dir = join(x.dir, run);
  const paths = (s: string) =>
    s
      .replaceAll("/opt/rocketmq", join(x.dir, "rocketmq"))
      .replaceAll("/tmp/rocketmq", join(dir, "runtime"))
      .replaceAll("/home/rocketmq", join(dir, "home"))
      // Side by side on one host: the name server's port and the broker's triplet (listen −2, listen, +1) moved.
      .replace(/^listenPort=(\d+)$/m, (_, port: string) => `listenPort=${Number(port) + portOffset}`)
      .replace(/^namesrvAddr=127[.]0[.]0[.]1:(\d+)$/m, (_, port: string) => `namesrvAddr=127.0.0.1:${Number(port) + portOffset}`);
  mkdirSync(join(dir, "runtime"), { recursive: true });
  mkdirSync(join(dir, "home", "logs"), { recursive: true });
  const start = (role: JvmRole) => {
    writeFileSync(join(dir, "runtime", CONF_NAME[role]), paths(x.conf[role]));
    return spawn(join(x.dir, "java", "bin", "java"), x.argfile[role].map(paths), {
      cwd: join(dir, "home"),
      stdio: ["ignore", "pipe", "pipe"],
    });
  };
  const namesrv = start("namesrv");
  const broker = start("broker");
  return {
    namesrv,
    broker,
    async stop() {
      for (const c of [broker, namesrv]) c.kill("SIGKILL");
      await new Promise((r) => setTimeout(r, 500));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A user-defined network with this subnet, made afresh (one left over by an interrupted run is removed first). */
export function freshNetwork(name: string, subnet: string): void {
  try {
    docker("network", "rm", name);
  } catch {
    // none left over
  }
  docker("network", "create", "--subnet", subnet, name);
}

/**
 * CPU groups for the host side of a bench, each with a container's default weight: `client` for this process and
 * the clients it starts, `server` for the bare JVMs. Without a service manager every host process shares the root
 * group, where each busy thread weighs as much as all of Docker's containers together (their parent group,
 * `docker`): a client's threads on the host then take CPU from a broker in a container that they would not take
 * from the same broker run by hand. A service manager (systemd) puts a service and a login session in groups of
 * their own, and so does the bench. Needs root and a cpu controller (cgroup v1 or v2); `available` says if it has them.
 */
export interface CpuGroups {
  available: boolean;
  /** Moves this process (and so the processes it starts after) to `client`, or back to the root group. */
  enter(group: "client" | "root"): void;
  /** Moves a process, with all its threads, to `server`. */
  place(pid: number): void;
  remove(): void;
}

export function cpuGroups(): CpuGroups {
  const v1 = "/sys/fs/cgroup/cpu";
  const layout = existsSync(join(v1, "cpu.shares"))
    ? { root: v1, weightFile: "cpu.shares", weight: "1024" }
    : existsSync("/sys/fs/cgroup/cgroup.controllers")
      ? { root: "/sys/fs/cgroup", weightFile: "cpu.weight", weight: "100" }
      : undefined;
  const dir = (group: string) => join(layout!.root, `rmqbench-${group}`);
  try {
    if (!layout) throw new Error("no cpu controller");
    if (layout.weightFile === "cpu.weight") writeFileSync(join(layout.root, "cgroup.subtree_control"), "+cpu");
    for (const group of ["client", "server"]) {
      mkdirSync(dir(group), { recursive: true });
      writeFileSync(join(dir(group), layout.weightFile), layout.weight);
    }
  } catch (e) {
    process.stderr.write(`CPU groups unavailable (${(e as Error).message}): every host process shares one group\n`);
    const none = () => {};
    return { available: false, enter: none, place: none, remove: none };
  }
  const move = (pid: number, to: string) => writeFileSync(join(to, "cgroup.procs"), String(pid));
  return {
    available: true,
    enter: (group) => move(process.pid, group === "root" ? layout.root : dir(group)),
    place: (pid) => move(pid, dir("server")),
    remove() {
      move(process.pid, layout.root);
      for (const group of ["client", "server"]) {
        try {
          rmdirSync(dir(group));
        } catch {
          // a process started in it still runs: the group stays, and the next run uses it again
        }
      }
    },
  };
}
