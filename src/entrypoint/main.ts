// The image's entrypoint logic. `prepare` validates everything and writes the files the JVM needs, then the
// shell entrypoint execs java (so the JVM is PID 1 and gets SIGTERM). Nothing is written when anything is wrong.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, hostname } from "node:os";
import type { Logger } from "pino";
import { bootstrapCommand } from "../bootstrap/command.ts";
import { MAX_FILE_BYTES } from "../bootstrap/spec.ts";
import { REDACTED, ROLES, loadCatalogue, type Role } from "../catalogue/catalogue.ts";
import { resolve, formatError, describeSource, shownValue, type Resolution } from "../configurator/resolve.ts";
import {
  archiveCandidates,
  renderAnnotated,
  renderArgFile,
  renderConfFile,
  renderToolsYml,
  jvmArguments,
  secretKeysProperty,
} from "../configurator/render.ts";
import { parseCpuQuota, parseMemoryLimit, sizeMemory } from "../configurator/jvm.ts";
import { TLS_PROPERTIES_FILE, clientTlsOf, renderTlsProperties } from "../configurator/tls.ts";
import { oneShotWith } from "../remoting/client.ts";
import { brokerPortsOf } from "../configurator/semantics.ts";
import { ADVERTISED_ADDRESS_KEY, LOGS_DIR, STORE_DIR } from "../configurator/variables.ts";
import { CONF_FILE_NAME } from "../configurator/file-names.ts";
import { createLogger } from "./log.ts";
import { detectAddress } from "./network.ts";
import { healthcheck } from "./healthcheck.ts";
import { LEASE_FILE, LEASE_POINTER, claimStore } from "./store-lease.ts";
import { recoverCrashedDLedgerStore } from "./dledger-recovery.ts";
import { RUNTIME_DIR, makePrivateDir, writePrivateFile } from "./runtime-files.ts";
import { NAME_WAIT_MS, waitForClusterMasters, waitUntilResolvable } from "./wait.ts";

const ROCKETMQ_HOME = process.env.ROCKETMQ_HOME ?? "/opt/rocketmq";
const EXIT_CONFIG = 2;
/** The proxy found no broker to serve; a restart policy may try again. */
const EXIT_UNAVAILABLE = 1;

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function readBounded(path: string, maxBytes: number): string | undefined {
  try {
    const stat = statSync(path);
    // /dev/null mounted in place of a file (the compose files' default): an empty file.
    if (stat.isCharacterDevice() && stat.rdev === statSync("/dev/null").rdev) return "";
    return stat.isFile() && stat.size <= maxBytes ? readFileSync(path, "utf8") : undefined;
  } catch {
    return undefined;
  }
}

function imageRole(): Role {
  const role = process.env.RMQ_ROLE;
  if (!ROLES.includes(role as Role))
    throw new Error(`RMQ_ROLE must be one of ${ROLES.join(", ")} (set by the image), got ${JSON.stringify(role)}`);
  return role as Role;
}

function resolveFromEnvironment(): Resolution {
  const role = imageRole();
  const version = process.env.RMQ_VERSION;
  if (!version) throw new Error("RMQ_VERSION is not set (the image sets it)");
  return resolve({
    role,
    catalogue: loadCatalogue(version, role),
    env: process.env,
    // `*_FILE` secrets and RMQ_CONF_PATH: regular files of a bounded size only, as for bootstrap (not /dev/zero).
    readFile: (path) => readBounded(path, MAX_FILE_BYTES),
    maxFileBytes: MAX_FILE_BYTES,
    detectedAddress: ADVERTISED_ADDRESS_KEY[role] ? detectAddress() : undefined,
  });
}

/** Logs notices and every problem, then one summary line; returns whether there was none. */
function reportProblems(log: Logger, resolution: Resolution, otherProblems: string[] = []): boolean {
  for (const notice of resolution.notices) log.info(notice);
  const problems = [...resolution.errors.map(formatError), ...otherProblems];
  for (const problem of problems) log.error(problem);
  if (problems.length) {
    log.error(`${problems.length} configuration error(s); RocketMQ was not started. Variables and keys: see docs/configuration.md.`);
  }
  return problems.length === 0;
}

function memoryLimit(): number | undefined {
  return (
    parseMemoryLimit(readOptional("/sys/fs/cgroup/memory.max")) ??
    parseMemoryLimit(readOptional("/sys/fs/cgroup/memory/memory.limit_in_bytes"))
  );
}

/** The CPUs the JVM will count: the container's CPU quota when lower than the CPUs it may run on. */
function jvmCpus(): number {
  const quota = parseCpuQuota(
    readOptional("/sys/fs/cgroup/cpu.max"),
    readOptional("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
    readOptional("/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
  );
  return Math.min(availableParallelism(), quota ?? Infinity);
}

/** The image's list of the native libraries left in its jars (docker/Dockerfile); absent outside an image. */
function nativeLibraries(): string | undefined {
  const path = `${ROCKETMQ_HOME}/native-libraries.txt`;
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/**
 * The role's class-data-sharing archive, if the image has one (empty: its training start failed under emulation).
 * A name server started from the broker image (as the Testcontainers module does) maps the broker's archive, and a
 * broker from the namesrv image the name server's: both run on one class path, and most of what a name server
 * loads (remoting, Netty, the common classes) is in the broker's. The JVM skips the classes an archive lacks.
 */
function cdsArchive(role: Role): string | undefined {
  return archiveCandidates(role)
    .map((r) => `${ROCKETMQ_HOME}/cds/${r}.jsa`)
    .find((path) => existsSync(path) && statSync(path).size > 0);
}

function unwritable(dir: string): string | undefined {
  const probe = `${dir}/.write-test-${process.pid}`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, "");
    rmSync(probe);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

async function prepare(log: Logger, resolution: Resolution): Promise<number> {
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  // The proxy stores nothing; it writes GC logs and, in its home directory, its internal consumer's offsets.
  const dirs = resolution.role === "proxy" ? [LOGS_DIR, "/home/rocketmq"] : [STORE_DIR, LOGS_DIR];
  const dirProblems = dirs.flatMap((dir) => {
    const why = unwritable(dir);
    return why
      ? [
          `${dir} is not writable by uid ${uid} gid ${gid} (${why}). For a bind mount run 'chown -R 3000:3000 <host dir>' (or 'chmod g+rwX' with group 0), or use a named volume.`,
        ]
      : [];
  });
  const runtimeProblem = makePrivateDir(RUNTIME_DIR);
  if (runtimeProblem) dirProblems.push(runtimeProblem);
  if (!reportProblems(log, resolution, dirProblems)) return EXIT_CONFIG;
  // The lease is taken only once everything else is valid: a refused start leaves the store as it was.
  if (resolution.role === "broker") {
    const storeRoot = resolution.settings.get("storePathRootDir")?.value ?? STORE_DIR;
    const inUse = await claimStore(storeRoot, hostname());
    if (inUse) {
      log.error(`${inUse} RocketMQ was not started.`);
      return EXIT_CONFIG;
    }
    writePrivateFile(`${RUNTIME_DIR}/${LEASE_POINTER}`, `${storeRoot}/${LEASE_FILE}\n`);
    const recovered = recoverCrashedDLedgerStore(resolution.version, (key) => resolution.settings.get(key)?.value, storeRoot);
    if (recovered) log.warn(recovered);
  }

  const role = resolution.role;
  const memory = sizeMemory(role, memoryLimit(), resolution.container, {
    cpus: jvmCpus(),
    setting: (key) => resolution.settings.get(key)?.value,
  });
  const confFile = `${RUNTIME_DIR}/${CONF_FILE_NAME[role]}`;
  const args = jvmArguments(
    role,
    memory,
    { rocketmqHome: ROCKETMQ_HOME, logbackFile: `${ROCKETMQ_HOME}/conf/rmq.${role}.logback.xml`, confFile, cdsArchive: cdsArchive(role) },
    resolution.container.JAVA_OPT_EXT,
    [...secretKeysProperty(resolution.catalogue), ...(resolution.tls?.systemProperties ?? [])],
  );

  writePrivateFile(confFile, renderConfFile(resolution));
  writePrivateFile(`${RUNTIME_DIR}/jvm.args`, renderArgFile(args));
  // The key's password may be in it: 0600 like the rest.
  if (resolution.tls?.properties.length) writePrivateFile(TLS_PROPERTIES_FILE, renderTlsProperties(resolution.tls));
  // mqadmin (docker/rootfs/opt/rocketmq/bin/mqadmin) reads it from there when it exists.
  const toolsYml = renderToolsYml(resolution);
  rmSync(`${RUNTIME_DIR}/tools`, { recursive: true, force: true });
  if (toolsYml) {
    const problem = makePrivateDir(`${RUNTIME_DIR}/tools/conf`);
    if (problem) log.warn(`mqadmin in this container will not sign its requests: ${problem}`);
    else writePrivateFile(`${RUNTIME_DIR}/tools/conf/tools.yml`, toolsYml);
  }

  log.info(`RocketMQ ${resolution.version} ${role}; JVM memory: ${memory.decision}`);
  if (role === "broker") {
    logBrokerAddresses(log, resolution);
    return (await advertisedNamesResolve(log, resolution)) ? 0 : EXIT_UNAVAILABLE;
  } else if (role === "proxy") return (await waitForCluster(log, resolution)) ? 0 : EXIT_UNAVAILABLE;
  else log.info(`name server listens on ${shown(resolution, "listenPort")}; publish it one-to-one`);
  return 0;
}

/** A setting, or RocketMQ's default, as a log line may show it: secrets (keys, or from `*_FILE`) redacted. */
function shown(resolution: Resolution, key: string): string | undefined {
  const setting = resolution.settings.get(key);
  return setting ? shownValue(setting) : (resolution.catalogue.get(key)?.default ?? undefined);
}

function logBrokerAddresses(log: Logger, resolution: Resolution): void {
  const s = (k: string) => resolution.settings.get(k);
  const v = (k: string) => shown(resolution, k);
  const secretPorts = s("listenPort")?.secret || s("haListenPort")?.secret;
  const ports = secretPorts ? { listen: REDACTED, fast: REDACTED, ha: REDACTED } : brokerPortsOf(resolution.settings);
  const ip1 = s("brokerIP1");
  const ip2 = s("brokerIP2");
  log.info(
    `broker ${v("brokerName")} of cluster ${v("brokerClusterName") ?? "DefaultCluster"} registers with ${v("namesrvAddr")}; ` +
      `clients will dial ${v("brokerIP1")}:${ports.listen} (brokerIP1 from ${ip1 ? describeSource(ip1.source) : "RocketMQ"}), ` +
      `slaves replicate from ${v("brokerIP2")}:${ports.ha} (brokerIP2 from ${ip2 ? describeSource(ip2.source) : "RocketMQ"})`,
  );
  if (s("enableDLegerCommitLog")?.value === "true" && s("dLegerPeers")) {
    log.info(
      `DLedger mode: member ${v("dLegerSelfId")} of group ${v("dLegerGroup")} (${v("dLegerPeers")}); the group elects the master, and the members dial each other's DLedger ports`,
    );
  } else if (s("enableControllerMode")?.value === "true") {
    log.info(`controller mode: the controllers at ${v("controllerAddr")} elect the master and assign this replica's id`);
  }
  log.info(
    `publish ports ${ports.listen} (clients), ${ports.fast} (fast/VIP = listenPort-2: slaves and VIP-channel clients) and ${ports.ha} (HA: slaves) ` +
      `one-to-one, host port = container port: the name server hands out ${v("brokerIP1")}:${ports.listen} verbatim, so a remapped port cannot be reached`,
  );
  if (ip1?.source.kind === "appliance") {
    log.info(
      `${ip1.value} is this container's own address: reachable from this Docker host (Linux) and from containers on its network. For clients on other hosts, or on Docker Desktop, set BROKER_IP1 (see docs/networking.md)`,
    );
  }
}

/** Whether brokerIP1 and brokerIP2, when they are names, resolve (waiting for them a while). */
async function advertisedNamesResolve(log: Logger, resolution: Resolution): Promise<boolean> {
  // A secret address is not shown in a log line; it is not waited for either.
  const names = (["brokerIP1", "brokerIP2"] as const).flatMap((key) => {
    const s = resolution.settings.get(key);
    return s && !s.secret ? [{ variable: describeSource(s.source), host: s.value }] : [];
  });
  const unresolved = await waitUntilResolvable(names, log);
  for (const n of unresolved) {
    log.error(
      `${n.host} (${n.variable}) does not resolve after ${NAME_WAIT_MS / 1000} s; RocketMQ would advertise it but could not store messages. Use a name this container can resolve, or an IP address`,
    );
  }
  return unresolved.length === 0;
}

/** Logs what the proxy will serve, then waits for its cluster's brokers. */
async function waitForCluster(log: Logger, resolution: Resolution): Promise<boolean> {
  const value = (k: string) => resolution.settings.get(k)?.value ?? resolution.catalogue.get(k)?.default ?? undefined;
  const v = (k: string) => shown(resolution, k);
  const access = resolution.settings.get("remotingAccessAddr");
  const grpcRemappable = value("useEndpointPortFromRequest") === "true";
  log.info(
    `proxy for the brokers of cluster ${v("rocketMQClusterName")} (name servers ${v("namesrvAddr")}); ` +
      `gRPC clients connect to port ${v("grpcServerPort")} and are routed back to the host they used` +
      (grpcRemappable ? " and its port; " : `, port ${v("grpcServerPort")}; `) +
      `remoting clients use port ${v("remotingListenPort")} as their name server address and are told to dial ${v("remotingAccessAddr")}:${v("remotingListenPort")} ` +
      `(remotingAccessAddr from ${access ? describeSource(access.source) : "RocketMQ"})`,
  );
  log.info(
    `publish the remoting port ${v("remotingListenPort")} one-to-one (host port = container port)` +
      (grpcRemappable ? "; the gRPC port may be published on another host port" : ` and the gRPC port ${v("grpcServerPort")} too`),
  );
  const tls = clientTlsOf(resolution.tls, readOptional);
  return waitForClusterMasters(
    value("namesrvAddr") ?? "",
    value("rocketMQClusterName") ?? "",
    log,
    tls ? { requester: oneShotWith({ tls }) } : {},
  );
}

export async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? "prepare";
  if (command === "healthcheck") return healthcheck(RUNTIME_DIR);
  if (command === "bootstrap") {
    // Node is PID 1 here (the entrypoint execs it), and PID 1 gets no default SIGTERM action. A watching service
    // stopped is a normal end; a one-shot run stopped part-way is not (128 + 15).
    const watching = Number(process.env.BOOTSTRAP_WATCH_SECONDS ?? 0) > 0;
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => process.exit(watching ? 0 : 143));
    const mark = `${RUNTIME_DIR}/bootstrap.applied`;
    return bootstrapCommand({
      env: process.env,
      // The file and the passwords it names: regular files of a bounded size only (not /dev/zero, not a 2 GiB log).
      readFile: (path) => readBounded(path, MAX_FILE_BYTES),
      version: process.env.RMQ_VERSION ?? "",
      log: createLogger(process.env.RMQ_LOG_FORMAT === "json" ? "json" : "text"),
      onApplied: () => makePrivateDir(RUNTIME_DIR) ?? writePrivateFile(mark, `${new Date().toISOString()}\n`),
    });
  }

  const resolution = resolveFromEnvironment();
  const log = createLogger(resolution.container.RMQ_LOG_FORMAT);
  switch (command) {
    case "prepare":
      return await prepare(log, resolution);
    case "print-config":
    case "validate": {
      const ok = reportProblems(log, resolution);
      if (command === "print-config" && ok) process.stdout.write(renderAnnotated(resolution, nativeLibraries()));
      return ok ? 0 : EXIT_CONFIG;
    }
    default:
      log.error(`unknown command '${command}'; commands: prepare, print-config, validate, healthcheck, bootstrap`);
      return EXIT_CONFIG;
  }
}
