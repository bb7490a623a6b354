/**
 * Round-trip client on the official Apache RocketMQ Java client (rocketmq-client 5.5.0,
 * remoting protocol): build helper plus runners for the host and for containers.
 *
 * Sources: test/clients/java/{pom.xml,RoundTrip.java}. Build output (gitignored):
 *   build/java-client/lib/      runtime jars, resolved by Maven
 *   build/java-client/classes/  RoundTrip.jar (javac --release 11), and RoundTrip.jsa: the classes its start loads,
 *                               archived for the host's JVM (class-data sharing; a directory of classes cannot be)
 *
 * RoundTrip prints summary lines on stdout (`SENT <n> ok=<k>`, `RECEIVED <n>`,
 * `RECEIVED <k> MISSING <ids>`, `CLUSTER {json}`) and diagnostics on stderr.
 * Exit codes: 0 ok, 1 send failure / error, 2 consume timeout, 64 usage error.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { once, upToDate } from "./build-once.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** A Java test client: a Maven manifest that resolves its jars, one source file, and where both are built. */
interface JavaProgram {
  pom: string;
  source: string;
  /** Build output: lib/ (jars), classes/, and their stamps (mtimes compared with the sources'). */
  dir: string;
  /** The jars, as a failure to resolve them names them. */
  jars: string;
  /**
   * Arguments of a start that fails at once (no name server on port 1) after loading what a start loads: the
   * classes it loaded are archived, and every later start on the host maps them instead of loading them, about a
   * CPU second less per start. Without them, no archive.
   */
  training?: string[];
}

/** Absolute path of the build output (`build/java-client` under the repository root). */
export const JAVA_CLIENT_DIR = path.join(REPO_ROOT, "build", "java-client");
const ROUND_TRIP: JavaProgram = {
  pom: path.join(REPO_ROOT, "test", "clients", "java", "pom.xml"),
  source: path.join(REPO_ROOT, "test", "clients", "java", "RoundTrip.java"),
  dir: JAVA_CLIENT_DIR,
  jars: "the rocketmq-client jars",
  training: ["--namesrv", "127.0.0.1:1", "--topic", "ClassDataTraining", "--count", "0", "--mode", "route", "--timeout-seconds", "1"],
};
/** The 5.x gRPC client (rocketmq-client-java), on its own class path: its shaded jar is not the remoting client's. */
const GRPC_ROUND_TRIP: JavaProgram = {
  pom: path.join(REPO_ROOT, "test", "clients", "java-grpc", "pom.xml"),
  source: path.join(REPO_ROOT, "test", "clients", "java-grpc", "GrpcRoundTrip.java"),
  dir: path.join(REPO_ROOT, "build", "java-grpc-client"),
  jars: "the rocketmq-client-java jars",
};

/** Mount point of JAVA_CLIENT_DIR inside containers. */
export const JAVA_CLIENT_MOUNT = "/client";

export interface JavaClientResult {
  /** Exit code; 124 when the host run was killed after `timeoutMs`. */
  code: number;
  stdout: string;
  stderr: string;
}

interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * JDK tool: `$JAVA_HOME/bin/<name>` when JAVA_HOME is set and has it, else `<name>` on PATH.
 */
function jdkTool(name: "java" | "javac" | "jar"): string {
  const home = process.env["JAVA_HOME"];
  if (home) {
    const candidate = path.join(home, "bin", name);
    if (existsSync(candidate)) return candidate;
  }
  return name;
}

/** Runs a command to completion; rejects with a readable message if it cannot be started. */
function runTool(
  command: string,
  args: string[],
  what: string,
  opts: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, opts.timeoutMs);
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      if (err.code === "ENOENT") {
        reject(new Error(`java client: '${command}' not found on PATH; it is needed to ${what}`));
      } else {
        reject(new Error(`java client: cannot run '${command}' (${what}): ${err.message}`));
      }
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (timedOut) {
        stderr += `\n[java-client] killed after ${opts.timeoutMs} ms`;
        resolve({ code: 124, stdout, stderr });
      } else {
        resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
      }
    });
  });
}

function failure(step: string, r: ToolResult): Error {
  const output = `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-40).join("\n");
  return new Error(`java client: ${step} failed (exit ${r.code})\n${output}`);
}

/**
 * Builds into a fresh sibling directory and swaps it in, so an interrupted or concurrent build
 * never leaves a half-filled lib/ or classes/ behind.
 */
async function buildInto(target: string, build: (dir: string) => Promise<void>): Promise<void> {
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await build(tmp);
    await rm(target, { recursive: true, force: true });
    await rename(tmp, target);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function resolveJars(program: JavaProgram): Promise<void> {
  const stamp = path.join(program.dir, "lib.stamp");
  if (await upToDate(stamp, [program.pom])) return;
  const mvn = process.env["MVN"] ?? "mvn";
  await buildInto(path.join(program.dir, "lib"), async (dir) => {
    const r = await runTool(
      mvn,
      ["-q", "-B", "-f", program.pom, "dependency:copy-dependencies", `-DoutputDirectory=${dir}`, "-DincludeScope=runtime"],
      `resolve ${program.jars} (install Maven 3.x or set MVN)`,
      { timeoutMs: 15 * 60_000 },
    );
    if (r.code !== 0) throw failure("mvn dependency:copy-dependencies", r);
  });
  await writeFile(stamp, `${new Date().toISOString()}\n`);
}

/** The program's class name (its source file's). */
function mainClass(program: JavaProgram): string {
  return path.basename(program.source, ".java");
}

/** Its class path: its jar, then Maven's. */
function classPath(program: JavaProgram, dir = program.dir): string {
  return [path.join(dir, "classes", `${mainClass(program)}.jar`), path.join(dir, "lib", "*")].join(path.delimiter);
}

/**
 * How a client JVM compiles. "quick", the tests': the first tier (C1) alone. A test's client lives for seconds, and
 * C2's compiles nearly doubled its CPU (a 1,000-message round trip: 3.4–3.8 CPU-s with both tiers, 1.8–2.1 with C1),
 * CPU that the clusters under test wait for on a 2-core machine. "full": both tiers, as applications run, for the
 * benchmarks' figures.
 */
export type Jit = "quick" | "full";
const JIT_OPTIONS: Record<Jit, string[]> = { quick: ["-XX:TieredStopAtLevel=1"], full: [] };

/** The host JVM's options for the program: its heap, JIT, and class-data archive (ignored, silently, when stale). */
function jvmOptions(program: JavaProgram, jit: Jit = "quick"): string[] {
  const archive = program.training ? [`-XX:SharedArchiveFile=${archiveOf(program)}`, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"] : [];
  return ["-Xms64m", "-Xmx256m", ...JIT_OPTIONS[jit], ...archive];
}

function archiveOf(program: JavaProgram): string {
  return path.join(program.dir, "classes", `${mainClass(program)}.jsa`);
}

async function compile(program: JavaProgram): Promise<void> {
  const stamp = path.join(program.dir, "classes.stamp");
  const name = path.basename(program.source);
  if (await upToDate(stamp, [program.source, path.join(program.dir, "lib.stamp")])) return;
  await buildInto(path.join(program.dir, "classes"), async (dir) => {
    const out = path.join(dir, "out");
    const r = await runTool(
      jdkTool("javac"),
      ["--release", "11", "-encoding", "UTF-8", "-nowarn", "-cp", path.join(program.dir, "lib", "*"), "-d", out, program.source],
      `compile ${name} (install a JDK >= 11 or set JAVA_HOME)`,
      { timeoutMs: 5 * 60_000 },
    );
    if (r.code !== 0) throw failure(`javac ${name}`, r);
    // A jar, not a directory: class-data sharing archives classes from jars only.
    const jar = await runTool(
      jdkTool("jar"),
      ["--create", "--file", path.join(dir, `${mainClass(program)}.jar`), "-C", out, "."],
      `pack ${name}`,
    );
    if (jar.code !== 0) throw failure(`jar ${name}`, jar);
    await rm(out, { recursive: true });
  });
  if (program.training) await archive(program);
  await writeFile(stamp, `${new Date().toISOString()}\n`);
}

/**
 * The classes a start loads, archived by a training start (class-data sharing, dynamic archive), after the jar is in
 * place: the archive records the class path's jars as they are, and a JVM finding them changed ignores it.
 */
async function archive(program: JavaProgram): Promise<void> {
  const target = archiveOf(program);
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  const r = await runTool(
    jdkTool("java"),
    [
      `-XX:ArchiveClassesAtExit=${tmp}`,
      ...jvmOptions({ ...program, training: undefined }),
      "-cp",
      classPath(program),
      mainClass(program),
      ...program.training!,
    ],
    `archive the classes ${mainClass(program)} loads`,
    { timeoutMs: 60_000 },
  );
  // Without an archive every start works as before, only slower: a failed training is no failure of the build.
  if (existsSync(tmp)) await rename(tmp, target);
  else console.warn(`${mainClass(program)}: no class-data archive (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
}

/** Builds a program (jars via Maven, its class via javac); nothing when the outputs are newer than the sources. */
async function build(program: JavaProgram): Promise<{ dir: string }> {
  await mkdir(program.dir, { recursive: true });
  await resolveJars(program);
  await compile(program);
  return { dir: program.dir };
}
const prepareRoundTrip = once(() => build(ROUND_TRIP));
const prepareGrpcRoundTrip = once(() => build(GRPC_ROUND_TRIP));

/**
 * Builds the client once into build/java-client (jars via Maven, RoundTrip.class via javac);
 * does nothing when the outputs are newer than pom.xml / RoundTrip.java. Memoised per process.
 */
export function prepareJavaClient(): Promise<{ dir: string }> {
  return prepareRoundTrip();
}

/** The command that runs GrpcRoundTrip (the 5.x gRPC client) with the host's java, built first if needed. */
export async function javaGrpcClientCommand(): Promise<{ command: string; args: string[] }> {
  await prepareGrpcRoundTrip();
  return {
    command: jdkTool("java"),
    args: [...jvmOptions(GRPC_ROUND_TRIP), "-cp", classPath(GRPC_ROUND_TRIP), mainClass(GRPC_ROUND_TRIP)],
  };
}

/** Value of `--timeout-seconds` in RoundTrip arguments (RoundTrip's default is 120). */
function timeoutSecondsOf(args: string[]): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let v: string | undefined;
    if (a === "--timeout-seconds") v = args[i + 1];
    else if (a?.startsWith("--timeout-seconds=")) v = a.slice("--timeout-seconds=".length);
    if (v !== undefined) {
      const n = Number(v);
      if (Number.isFinite(n) && n > 0) return n;
    }
  }
  return 120;
}

/** The official Java client's TLS, as RocketMQ's system properties: on, checking the server's chain against `caFile`. */
export function javaTlsOptions(caFile: string): string[] {
  return ["-Dtls.enable=true", "-Dtls.test.mode.enable=false", "-Dtls.client.authServer=true", `-Dtls.client.trustCertPath=${caFile}`];
}

/**
 * Runs RoundTrip with the host's `java` (JAVA_HOME/bin/java if set). Builds first if needed.
 * Default timeout: RoundTrip's own --timeout-seconds plus 30 s; on expiry the JVM is killed
 * and the result has code 124. `credentials` sign its requests (ACL); the secret goes by environment, not argv.
 * `jvmOptions` go before the class path (e.g. RocketMQ's -Dtls.* system properties); `jit` is "quick" unless told.
 */
export async function runJavaClientOnHost(
  args: string[],
  opts: { timeoutMs?: number; credentials?: { accessKey: string; secretKey: string }; jvmOptions?: string[]; jit?: Jit } = {},
): Promise<JavaClientResult> {
  await prepareJavaClient();
  const timeoutMs = opts.timeoutMs ?? (timeoutSecondsOf(args) + 30) * 1000;
  return runTool(
    jdkTool("java"),
    [
      ...jvmOptions(ROUND_TRIP, opts.jit),
      ...(opts.jvmOptions ?? []),
      "-cp",
      classPath(ROUND_TRIP),
      mainClass(ROUND_TRIP),
      ...args,
      ...(opts.credentials ? ["--access-key", opts.credentials.accessKey, "--secret-key-env", "ROUNDTRIP_SECRET_KEY"] : []),
    ],
    "run the RoundTrip client (install a JRE >= 11 or set JAVA_HOME)",
    { timeoutMs, env: opts.credentials ? { ROUNDTRIP_SECRET_KEY: opts.credentials.secretKey } : {} },
  );
}

/**
 * Bind mount and command to run RoundTrip in a container that has `java` (>= 11) on PATH.
 * Call prepareJavaClient() first so the mounted directory is populated. An `--events` file's directory is
 * mounted at the same path, so that the host reads the events as they come (it must be writable by uid 3000).
 */
export function javaClientContainerCommand(args: string[], jit: Jit = "quick"): { binds: string[]; cmd: string[] } {
  const events = args.includes("--events") ? args[args.indexOf("--events") + 1] : undefined;
  return {
    binds: [`${JAVA_CLIENT_DIR}:${JAVA_CLIENT_MOUNT}:ro`, ...(events ? [`${path.dirname(events)}:${path.dirname(events)}`] : [])],
    // The image's Java runtime is not the host's: no class-data archive.
    cmd: ["java", ...JIT_OPTIONS[jit], "-cp", classPath(ROUND_TRIP, JAVA_CLIENT_MOUNT), mainClass(ROUND_TRIP), ...args],
  };
}

/** The arguments of a fresh round trip: `count` messages sent and consumed by a new group named after the run. */
export function roundTripArgs(namesrv: string, topic: string, count: number, runId: string): string[] {
  return ["--namesrv", namesrv, "--topic", topic, "--count", String(count), "--mode", "both", "--run-id", runId, "--group", runId];
}

/** The arguments that consume `count` messages of a run as `group` (a new one: from the start), waiting up to 90 s. */
export function consumeArgs(topic: string, count: number, runId: string, group: string): string[] {
  return ["--topic", topic, "--count", String(count), "--mode", "consume", "--run-id", runId, "--group", group, "--timeout-seconds", "90"];
}
