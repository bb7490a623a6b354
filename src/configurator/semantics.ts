// Checks that need more than one value: role against id, the port triplet, address lists, DLedger and
// controller settings. Each message names where every value involved came from.
import type { Role, RoleCatalogue } from "../catalogue/catalogue.ts";
import type { ConfigError, Setting } from "./resolve.ts";
import { checkAddressList, isHost } from "./values.ts";

export interface BrokerPorts {
  listen: number;
  fast: number;
  ha: number;
}

export function checkSemantics(
  role: Role,
  catalogue: RoleCatalogue,
  settings: Map<string, Setting>,
  errors: ConfigError[],
): void {
  const value = (key: string): string | undefined => settings.get(key)?.value ?? catalogue.get(key)?.default ?? undefined;
  const where = (key: string): string => {
    const s = settings.get(key);
    if (!s) return `${key} (RocketMQ default)`;
    if (s.source.kind === "env") return s.source.variable;
    if (s.source.kind === "file") return `${s.source.path}:${s.source.line} ${key}`;
    return `${key} (appliance default)`;
  };
  const fail = (keys: string[], problem: string, allowed?: string): void => {
    errors.push({ subject: keys.map((k) => `${where(k)}=${JSON.stringify(value(k) ?? "")}`).join(" with "), problem, allowed });
  };
  // Values that already failed their own check are not checked again here.
  const bad = new Set(errors.map((e) => e.subject));
  const usable = (key: string): boolean => !bad.has(where(key)) && value(key) !== undefined;

  if (role === "namesrv") {
    const port = Number(value("listenPort"));
    if (usable("listenPort") && (port < 1 || port > 65535)) fail(["listenPort"], "is not a TCP port", "1..65535");
    return;
  }

  const namesrv = value("namesrvAddr");
  if (!namesrv) {
    errors.push({ subject: "NAMESRV_ADDR", problem: "is not set; a broker needs its name servers", allowed: "host:port;host:port, e.g. namesrv:9876" });
  } else {
    const problem = checkAddressList(namesrv);
    if (problem) fail(["namesrvAddr"], problem, "host:port entries separated by ';', e.g. ns1:9876;ns2:9876");
  }

  for (const key of ["brokerIP1", "brokerIP2"]) {
    const v = value(key);
    if (v && !isHost(v)) fail([key], "is not an IP address or host name", "an address that clients can dial, e.g. 192.168.1.20");
  }

  if (usable("listenPort")) {
    const listen = Number(value("listenPort"));
    if (listen - 2 < 1 || listen + 1 > 65535) {
      fail(["listenPort"], `puts the fast port (${listen - 2}) or the HA port (${listen + 1}) outside 1..65535`, "3..65534");
    }
    const ha = Number(value("haListenPort") ?? 0);
    if (settings.has("haListenPort") && ha > 0 && (ha > 65535 || ha === listen || ha === listen - 2)) {
      fail(["haListenPort", "listenPort"], "clashes with the listen or fast port, or is not a TCP port", "a free port in 1..65535, or leave it unset for listenPort+1");
    }
  }

  const dledger = value("enableDLegerCommitLog") === "true";
  const controller = value("enableControllerMode") === "true";
  if (dledger && controller) {
    fail(["enableDLegerCommitLog", "enableControllerMode"], "are both on; RocketMQ exits at start", "at most one of them true");
  }

  if (!dledger && !controller && usable("brokerRole") && usable("brokerId")) {
    const brokerRole = value("brokerRole");
    const brokerId = Number(value("brokerId"));
    if (brokerRole === "SLAVE" && brokerId <= 0) {
      fail(["brokerRole", "brokerId"], "is a slave with a master's broker id", "BROKER_ID of 1 or more for a SLAVE");
    } else if (brokerRole !== "SLAVE" && brokerId !== 0) {
      fail(["brokerRole", "brokerId"], "is a master with a non-zero broker id (RocketMQ would silently use 0)", "BROKER_ID=0 for a master, or BROKER_ROLE=SLAVE");
    }
  }

  if (dledger) checkDLedger(value, fail);
  if (controller) {
    const addr = value("controllerAddr");
    const problem = addr ? checkAddressList(addr) : "is empty";
    if (problem) fail(["controllerAddr"], `${problem} (controller mode needs the controllers)`, "host:port entries separated by ';'");
  }
}

function checkDLedger(
  value: (key: string) => string | undefined,
  fail: (keys: string[], problem: string, allowed?: string) => void,
): void {
  for (const key of ["dLegerGroup", "dLegerPeers", "dLegerSelfId"]) {
    if (!value(key)) fail([key], "is empty but enableDLegerCommitLog is true", "a value (see RocketMQ's conf/dledger examples)");
  }
  const peers = value("dLegerPeers");
  const self = value("dLegerSelfId");
  if (!peers) return;
  const ids: string[] = [];
  for (const entry of peers.split(";")) {
    const m = /^([A-Za-z0-9_]+)-(.+):(\d+)$/.exec(entry);
    if (!m || !isHost(m[2]!) || Number(m[3]) < 1 || Number(m[3]) > 65535) {
      fail(["dLegerPeers"], `has entry '${entry}' that is not id-host:port`, "entries like n0-10.0.0.1:40911 separated by ';'");
      return;
    }
    ids.push(m[1]!);
  }
  if (self && !ids.includes(self)) fail(["dLegerSelfId", "dLegerPeers"], `names a peer that is not listed (${ids.join(", ")})`, "one of the ids in dLegerPeers");
}

/** The three ports a broker uses, as RocketMQ derives them. */
export function brokerPorts(settings: Map<string, Setting>): BrokerPorts {
  const listen = Number(settings.get("listenPort")?.value ?? 10911);
  const haSetting = Number(settings.get("haListenPort")?.value ?? 0);
  return { listen, fast: listen - 2, ha: haSetting > 0 ? haSetting : listen + 1 };
}
