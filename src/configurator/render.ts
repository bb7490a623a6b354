// Rendering: the effective config file RocketMQ reads, the annotated print-config view, and the JVM's argfile.
import { REDACTED, ROLES, isSecretKey, type Role, type RoleCatalogue } from "../catalogue/catalogue.ts";
import { innerCredentials } from "../remoting/auth.ts";
import { jsonValue } from "./json-config.ts";
import { renderProperty } from "./properties.ts";
import { describeSource, type Resolution } from "./resolve.ts";
import type { JvmMemory } from "./jvm.ts";
import { LOGS_DIR } from "./variables.ts";
import { CONF_FILE_NAME } from "./file-names.ts";

/**
 * One line per setting, sorted by key: `key=value` for a properties file; for the proxy's JSON, `"key": value`
 * members with the comma where JSON needs it, between `{` and `}`. `redact` shows secrets as REDACTED (a JSON
 * string whatever the key's type).
 */
function renderLines(resolution: Resolution, redact: boolean, comment?: (key: string) => string): string[] {
  const keys = [...resolution.settings.keys()].sort();
  const json = resolution.role === "proxy";
  const lines = keys.flatMap((key, i) => {
    const setting = resolution.settings.get(key)!;
    const hidden = redact && setting.secret;
    const line = json
      ? `  ${JSON.stringify(key)}: ${hidden ? JSON.stringify(REDACTED) : jsonValue(resolution.catalogue.get(key), setting.value)}${i < keys.length - 1 ? "," : ""}`
      : hidden
        ? `${key}=${REDACTED}`
        : // print-config (redact) is read by people: non-ASCII as written, not \uXXXX.
          renderProperty(key, setting.value, !redact);
    return comment ? [comment(key), line] : [line];
  });
  return json ? ["{", ...lines, "}"] : lines;
}

/** The file RocketMQ reads: secrets in clear, so it is written for the JVM's user alone. */
export function renderConfFile(resolution: Resolution): string {
  return renderLines(resolution, false).join("\n") + "\n";
}

/**
 * mqadmin's `conf/tools.yml` (under its rocketmq.home.dir): the node's own credentials, so that `mqadmin` in the
 * container signs as the admin when authentication is on; undefined when it is off.
 */
export function renderToolsYml(resolution: Resolution): string | undefined {
  if (resolution.settings.get("authenticationEnabled")?.value !== "true") return undefined;
  const credentials = innerCredentials(resolution.settings.get("innerClientAuthenticationCredentials")?.value);
  if (!credentials) return undefined;
  // JSON strings are YAML double-quoted scalars.
  return `accessKey: ${JSON.stringify(credentials.accessKey)}\nsecretKey: ${JSON.stringify(credentials.secretKey)}\n`;
}

/**
 * The effective file with, above each line, where its value came from (comments on `#` lines of their own:
 * dropping the lines that start with `#` gives the file, JSON included), with secrets shown as REDACTED.
 */
export function renderAnnotated(resolution: Resolution, nativeLibraries?: string): string {
  const header = `# effective ${CONF_FILE_NAME[resolution.role]} for RocketMQ ${resolution.version}; other keys keep RocketMQ's defaults`;
  const lines = renderLines(resolution, true, (key) => {
    const setting = resolution.settings.get(key)!;
    return `# from ${describeSource(setting.source)}${setting.secret ? " (a secret: not shown)" : ""}`;
  });
  const tls = resolution.tls
    ? [
        "",
        `# TLS_MODE=${resolution.tls.mode}: JVM options ${resolution.tls.systemProperties.join(" ")}`,
        ...resolution.tls.properties.map((p) => `# tls.properties: ${p.key}=${p.secret ? REDACTED : p.value}`),
      ]
    : [];
  const natives = nativeLibraries === undefined ? [] : ["", ...nativeLibraryLines(resolution.role, nativeLibraries)];
  return [header, ...lines, ...tls, ...natives].join("\n") + "\n";
}

/**
 * The native libraries the role's JVM can load from its class path, from the image's list (`<dir>/<jar> <entry>`
 * per line, written at build once the other CPUs' libraries were dropped): one comment line each.
 */
export function nativeLibraryLines(role: Role, listing: string): string[] {
  const dirs = LAUNCH[role].classPath.map((entry) => entry.replace(/\/\*$/, "/"));
  const kept = listing
    .split("\n")
    .map((line) => line.trim().split(" "))
    .filter((parts): parts is [string, string] => parts.length === 2 && dirs.some((dir) => parts[0]!.startsWith(dir)))
    .map(([jar, entry]) => `# native library: ${entry} (${jar})`);
  return kept.length ? kept : ["# native libraries: none in the class path's jars"];
}

/** How each role's JVM is started: main class, class path (relative to ROCKETMQ_HOME) and RocketMQ's arguments. */
export const LAUNCH: Record<Role, { mainClass: string; classPath: string[]; args: (confFile: string) => string[] }> = {
  broker: { mainClass: "org.apache.rocketmq.broker.BrokerStartup", classPath: ["lib/*"], args: (conf) => ["-c", conf] },
  namesrv: { mainClass: "org.apache.rocketmq.namesrv.NamesrvStartup", classPath: ["lib/*"], args: (conf) => ["-c", conf] },
  // The proxy's own jars come first: where both directories hold a library, the proxy's version is the one
  // Maven resolved for it. They stay out of lib/, where they would switch the others' logging to the proxy's.
  proxy: {
    mainClass: "org.apache.rocketmq.proxy.ProxyStartup",
    classPath: ["lib-proxy/*", "lib/*"],
    args: (conf) => ["-pc", conf, "-pm", "cluster"],
  },
};

/**
 * The roles whose class-data-sharing archive a role's JVM can map, its own first: those started on the same class
 * path (an archive records it, and the JVM skips one made on another).
 */
export function archiveCandidates(role: Role): Role[] {
  const same = (r: Role) => LAUNCH[r].classPath.join(":") === LAUNCH[role].classPath.join(":");
  return [role, ...ROLES.filter((r) => r !== role && same(r))];
}

export interface JvmLayout {
  rocketmqHome: string;
  logbackFile: string;
  confFile: string;
  /** The role's class-data-sharing archive, when the image has one (docker/cds/train.sh). */
  cdsArchive?: string;
}

export function jvmArguments(
  role: Role,
  memory: JvmMemory,
  layout: JvmLayout,
  javaOptExt: string | undefined,
  systemProperties: readonly string[] = [],
): string[] {
  const launch = LAUNCH[role];
  const args = [
    "-server",
    `-Xms${memory.heap}`,
    `-Xmx${memory.heap}`,
    ...(memory.directMemory ? [`-XX:MaxDirectMemorySize=${memory.directMemory}`] : []),
    "-XX:+UseG1GC",
    "-XX:G1ReservePercent=25",
    "-XX:InitiatingHeapOccupancyPercent=30",
    "-XX:SoftRefLRUPolicyMSPerMB=0",
    "-XX:-OmitStackTraceInFastThrow",
    // The classes this role loads at start, mapped from the archive instead of parsed; the JVM skips an archive
    // that does not match and starts as without it.
    ...(layout.cdsArchive ? [`-XX:SharedArchiveFile=${layout.cdsArchive}`] : []),
    // RocketMQ 4.x unmaps its files through reflection on java.nio and jdk.internal.ref; on Java 17 that needs
    // these opens, or its shutdown hook fails and the next start cannot load the store.
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
    "-XX:+ExitOnOutOfMemoryError",
    `-XX:ErrorFile=${LOGS_DIR}/hs_err_pid%p.log`,
    `-Xlog:gc*:file=${LOGS_DIR}/${role}_gc.log:time,tags:filecount=5,filesize=20M`,
    "-Duser.home=/home/rocketmq",
    // Peers' names are looked up afresh at each connection (Java caches them 30 s): a container that restarts may
    // get another address, even one that another node held a moment ago, and a connection made from the cache
    // stays with that other node (brokers that never registered again with a restarted name server).
    "-Dsun.net.inetaddr.ttl=1",
    `-Drocketmq.home.dir=${layout.rocketmqHome}`,
    `-Drmq.logback.configurationFile=${layout.logbackFile}`,
    "-cp",
    launch.classPath.map((dir) => `${layout.rocketmqHome}/${dir}`).join(":"),
    // TLS and the like: before JAVA_OPT_EXT, which may override them.
    ...systemProperties,
    ...splitOptions(javaOptExt),
    launch.mainClass,
    ...launch.args(layout.confFile),
  ];
  return args;
}

/**
 * The images' logback files (docker/rootfs/opt/rocketmq/conf/rmq.<role>.logback.xml) show the values of the keys named
 * in this system property as REDACTED where RocketMQ logs its settings: the role's secret keys, `|`-separated.
 */
export const SECRET_KEYS_PROPERTY = "appliance.secretKeys";

export function secretKeysProperty(catalogue: RoleCatalogue): string[] {
  // Key names are Java field names, so they are read literally inside the logback files' regular expressions.
  const keys = [...catalogue.keys.keys()].filter((key) => isSecretKey(key) && /^\w+$/.test(key)).sort();
  return keys.length ? [`-D${SECRET_KEYS_PROPERTY}=${keys.join("|")}`] : [];
}

/** JAVA_OPT_EXT goes before the main class (JVM options), split on whitespace as the scripts do. */
function splitOptions(opts: string | undefined): string[] {
  return opts?.trim() ? opts.trim().split(/\s+/) : [];
}

/** A java @argfile: one argument per line, quoted so that no character is reinterpreted. */
export function renderArgFile(args: string[]): string {
  return args.map((a) => `"${a.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join("\n") + "\n";
}
