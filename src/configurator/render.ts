// Rendering: the effective config file RocketMQ reads, the annotated print-config view, and the JVM's argfile.
import type { Role } from "../catalogue/catalogue.ts";
import { renderProperty } from "./properties.ts";
import { describeSource, type Resolution } from "./resolve.ts";
import type { JvmMemory } from "./jvm.ts";
import { LOGS_DIR } from "./variables.ts";

export function renderConfFile(resolution: Resolution): string {
  const keys = [...resolution.settings.keys()].sort();
  return keys.map((k) => renderProperty(k, resolution.settings.get(k)!.value)).join("\n") + "\n";
}

/** The effective file with, above each line, where its value came from (comments on their own lines). */
export function renderAnnotated(resolution: Resolution): string {
  const lines = [`# effective ${resolution.role}.conf for RocketMQ ${resolution.version}; other keys keep RocketMQ's defaults`];
  for (const key of [...resolution.settings.keys()].sort()) {
    const s = resolution.settings.get(key)!;
    lines.push(`# from ${describeSource(s.source)}`, renderProperty(key, s.value));
  }
  return lines.join("\n") + "\n";
}

export const MAIN_CLASS: Record<Role, string> = {
  broker: "org.apache.rocketmq.broker.BrokerStartup",
  namesrv: "org.apache.rocketmq.namesrv.NamesrvStartup",
};

export interface JvmLayout {
  rocketmqHome: string;
  logbackFile: string;
  confFile: string;
}

export function jvmArguments(role: Role, memory: JvmMemory, layout: JvmLayout, javaOptExt: string | undefined): string[] {
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
    "-XX:+ExitOnOutOfMemoryError",
    `-XX:ErrorFile=${LOGS_DIR}/hs_err_pid%p.log`,
    `-Xlog:gc*:file=${LOGS_DIR}/${role}_gc.log:time,tags:filecount=5,filesize=20M`,
    "-Duser.home=/home/rocketmq",
    `-Drocketmq.home.dir=${layout.rocketmqHome}`,
    `-Drmq.logback.configurationFile=${layout.logbackFile}`,
    "-cp",
    `${layout.rocketmqHome}/lib/*`,
    ...splitOptions(javaOptExt),
    MAIN_CLASS[role],
    "-c",
    layout.confFile,
  ];
  return args;
}

/** JAVA_OPT_EXT goes before the main class (JVM options), split on whitespace as the scripts do. */
function splitOptions(opts: string | undefined): string[] {
  return opts?.trim() ? opts.trim().split(/\s+/) : [];
}

/** A java @argfile: one argument per line, quoted so that no character is reinterpreted. */
export function renderArgFile(args: string[]): string {
  return args.map((a) => `"${a.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join("\n") + "\n";
}
