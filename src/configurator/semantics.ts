// Checks that need more than one value: role against id, the port triplet, address lists, DLedger and
// controller settings, the proxy's ports and mode. Each message names where every value involved came from,
// and shows the values and parts of them unless they are secrets.
import { REDACTED, type Role, type RoleCatalogue } from "../catalogue/catalogue.ts";
import { brokerPorts, type BrokerPorts } from "../remoting/ports.ts";
import type { ConfigError, Setting } from "./types.ts";
import { checkAddressList, isHost } from "./values.ts";

export function checkSemantics(role: Role, catalogue: RoleCatalogue, settings: Map<string, Setting>, errors: ConfigError[]): void {
  const value = (key: string): string | undefined => settings.get(key)?.value ?? catalogue.get(key)?.default ?? undefined;
  const where = (key: string): string => {
    const s = settings.get(key);
    if (!s) return `${key} (RocketMQ default)`;
    if (s.source.kind === "env") return s.source.variable;
    if (s.source.kind === "file") return `${s.source.path}:${s.source.line} ${key}`;
    return `${key} (appliance default)`;
  };
  const secret = (key: string): boolean => settings.get(key)?.secret ?? false;
  /** A part of the values of `keys` (a port, an entry) for a problem's text. */
  const part = (keys: string[], text: string | number): string => (keys.some(secret) ? REDACTED : String(text));
  const fail = (keys: string[], problem: string, allowed?: string): void => {
    const shown = (k: string) => (secret(k) ? REDACTED : JSON.stringify(value(k) ?? ""));
    errors.push({ subject: keys.map((k) => `${where(k)}=${shown(k)}`).join(" with "), problem, allowed });
  };
  // Values that already failed their own check are not checked again here.
  const bad = new Set(errors.map((e) => e.subject));
  const usable = (key: string): boolean => !bad.has(where(key)) && value(key) !== undefined;

  const explicit = (key: string): boolean => {
    const kind = settings.get(key)?.source.kind;
    return kind === "env" || kind === "file";
  };

  const checkPort = (key: string): void => {
    const port = Number(value(key));
    if (usable(key) && (port < 1 || port > 65535)) fail([key], "is not a TCP port", "1..65535");
  };

  if (role === "namesrv") {
    const port = Number(value("listenPort"));
    checkPort("listenPort");
    if (value("enableControllerInNamesrv") === "true") {
      const self = checkPeers("controllerDLegerPeers", "controllerDLegerSelfId", value, secret, fail, "enableControllerInNamesrv is true");
      const keys = ["controllerDLegerPeers", "listenPort"];
      if (self && self.port === port)
        fail(keys, `gives this controller the name server's own port ${part(keys, port)}`, "another port, e.g. 9878");
    }
    return;
  }

  const namesrv = value("namesrvAddr");
  if (!namesrv) {
    const needs = role === "proxy" ? "a proxy needs the name servers of the brokers it serves" : "a broker needs its name servers";
    errors.push({ subject: "NAMESRV_ADDR", problem: `is not set; ${needs}`, allowed: "host:port;host:port, e.g. namesrv:9876" });
  } else {
    const problem = checkAddressList(namesrv, secret("namesrvAddr"));
    if (problem) fail(["namesrvAddr"], problem, "host:port entries separated by ';', e.g. ns1:9876;ns2:9876");
  }

  // Set to nothing (compose writes `${UNSET}` so) is no address either: RocketMQ would advertise ":10911".
  for (const key of role === "proxy" ? ["remotingAccessAddr", "localServeAddr"] : ["brokerIP1", "brokerIP2"]) {
    const v = value(key);
    if ((v && !isHost(v)) || settings.get(key)?.value === "")
      fail([key], "is not an IP address or host name", "an address that clients can dial, e.g. 192.168.1.20");
  }
  // The names a broker registers under, which clients and the console show.
  for (const key of role === "broker" ? ["brokerName", "brokerClusterName"] : []) {
    if (settings.get(key)?.value === "") fail([key], "is empty", "a name, e.g. broker-a; or leave it unset for the default");
  }

  if (role === "proxy") {
    checkProxy(value, usable, explicit, fail, checkPort);
    return;
  }

  if (usable("listenPort")) {
    // The ports listenPort brings along; a haListenPort that moves the HA port is checked on its own.
    const own = brokerPorts(value("listenPort"));
    if (own.fast < 1 || own.ha > 65535) {
      const which = secret("listenPort") ? "the fast port or the HA port" : `the fast port (${own.fast}) or the HA port (${own.ha})`;
      fail(["listenPort"], `puts ${which} outside 1..65535`, "3..65534");
    }
    const ports = brokerPortsOf(settings);
    if (explicit("haListenPort") && catalogue.version.startsWith("4.")) {
      fail(
        ["haListenPort"],
        `is not used by RocketMQ ${catalogue.version}, whose HA port is always listenPort+1`,
        "leave it unset; the HA port is LISTEN_PORT+1",
      );
    } else if (ports.ha !== own.ha && (ports.ha > 65535 || ports.ha === ports.listen || ports.ha === ports.fast)) {
      fail(
        ["haListenPort", "listenPort"],
        "clashes with the listen or fast port, or is not a TCP port",
        "a free port in 1..65535, or leave it unset for listenPort+1",
      );
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
      fail(
        ["brokerRole", "brokerId"],
        "is a master with a non-zero broker id (RocketMQ would silently use 0)",
        "BROKER_ID=0 for a master, or BROKER_ROLE=SLAVE",
      );
    }
  }

  // RocketMQ overwrites the id and role in these modes; a value set for them would silently mean nothing.
  for (const [on, mode, decides] of [
    [dledger, "DLedger mode", "the group's election"],
    [controller, "controller mode", "the controller"],
  ] as const) {
    if (!on) continue;
    for (const key of ["brokerId", "brokerRole"]) {
      const assigned = key === "brokerId" && controller && value(key) === "-1";
      if (explicit(key) && !assigned)
        fail(
          [key],
          `is ignored in ${mode}: ${decides} decides each node's ${key === "brokerId" ? "id" : "role"}`,
          `leave ${key === "brokerId" ? "BROKER_ID" : "BROKER_ROLE"} unset`,
        );
    }
  }

  if (dledger) {
    const self = checkPeers("dLegerPeers", "dLegerSelfId", value, secret, fail, "enableDLegerCommitLog is true");
    if (!value("dLegerGroup")) fail(["dLegerGroup"], "is empty but enableDLegerCommitLog is true", "a group name, e.g. the BROKER_NAME");
    if (self && usable("listenPort")) {
      const ports = brokerPortsOf(settings);
      if ([ports.listen, ports.fast, ports.ha].includes(self.port)) {
        const brokers = part(["listenPort", "haListenPort"], `${ports.fast}, ${ports.listen}, ${ports.ha}`);
        fail(
          ["dLegerPeers", "listenPort"],
          `gives this node DLedger port ${part(["dLegerPeers"], self.port)}, which the broker already uses (${brokers})`,
          "a separate port, e.g. 40911",
        );
      }
    }
  }
  if (controller) {
    const addr = value("controllerAddr");
    const problem = addr ? checkAddressList(addr, secret("controllerAddr")) : "is empty";
    if (problem) fail(["controllerAddr"], `${problem} (controller mode needs the controllers)`, "host:port entries separated by ';'");
  }
}

/** The proxy: two distinct ports, cluster mode, and no key that RocketMQ overwrites at start. */
function checkProxy(
  value: (key: string) => string | undefined,
  usable: (key: string) => boolean,
  explicit: (key: string) => boolean,
  fail: (keys: string[], problem: string, allowed?: string) => void,
  checkPort: (key: string) => void,
): void {
  checkPort("grpcServerPort");
  checkPort("remotingListenPort");
  if (usable("grpcServerPort") && usable("remotingListenPort") && value("grpcServerPort") === value("remotingListenPort")) {
    fail(
      ["grpcServerPort", "remotingListenPort"],
      "are the same port; the gRPC and the remoting server each need their own",
      "two different ports, e.g. 8081 and 8080",
    );
  }
  if (value("proxyMode")?.toLowerCase() !== "cluster") {
    fail(
      ["proxyMode"],
      "is not cluster; this image runs the proxy in cluster mode only (local mode embeds a broker)",
      "cluster, or leave it unset",
    );
  }
  // Configuration.init() copies these from ProxyConfig into AuthConfig after reading the file.
  for (const [key, from] of [
    ["clusterName", "rocketMQClusterName (BROKER_CLUSTER_NAME)"],
    ["configName", "proxyName"],
  ] as const) {
    if (explicit(key))
      fail([key], `is overwritten at start with ${from}; RocketMQ would silently ignore it`, `leave it unset; set ${from} instead`);
  }
}

/**
 * DLedger peer lists (`n0-host:port;...`), for the broker's commit log and the embedded controller alike.
 * Ids must be n<digits>: RocketMQ parses the number after the first character. Returns this node's entry.
 * Entries and ids of a secret list are named by position only.
 */
function checkPeers(
  peersKey: string,
  selfKey: string,
  value: (key: string) => string | undefined,
  secret: (key: string) => boolean,
  fail: (keys: string[], problem: string, allowed?: string) => void,
  because: string,
): { id: string; port: number } | undefined {
  const peers = value(peersKey);
  const self = value(selfKey);
  if (!peers) fail([peersKey], `is empty but ${because}`, "entries like n0-10.0.0.1:40911 separated by ';'");
  if (!self) fail([selfKey], `is empty but ${because}`, `this node's id in ${peersKey}, e.g. n0`);
  if (!peers) return undefined;
  const entries = new Map<string, number>();
  for (const [i, entry] of peers.split(";").entries()) {
    const m = /^(n[0-9]+)-(.+):(\d+)$/.exec(entry);
    if (!m || !isHost(m[2]!) || Number(m[3]) < 1 || Number(m[3]) > 65535) {
      fail(
        [peersKey],
        `has entry ${secret(peersKey) ? i + 1 : `'${entry}'`} that is not n<number>-host:port`,
        "entries like n0-10.0.0.1:40911 separated by ';'",
      );
      return undefined;
    }
    if (entries.has(m[1]!)) {
      fail(
        [peersKey],
        secret(peersKey) ? `gives entry ${i + 1} an id listed before` : `lists id ${m[1]} twice`,
        "a distinct id per member",
      );
      return undefined;
    }
    entries.set(m[1]!, Number(m[3]));
  }
  if (!self) return undefined;
  const port = entries.get(self);
  if (port === undefined) {
    const listed = secret(peersKey) ? "" : ` (${[...entries.keys()].join(", ")})`;
    fail([selfKey, peersKey], `names a member that is not listed${listed}`, `one of the ids in ${peersKey}`);
    return undefined;
  }
  return { id: self, port };
}

/**
 * The three ports the resolved broker will use. haListenPort only as set: the catalogue's default (10912) is the
 * field's initial value, which RocketMQ 5's startup replaces with listenPort + 1 unless the config sets one.
 */
export function brokerPortsOf(settings: Map<string, Setting>): BrokerPorts {
  return brokerPorts(settings.get("listenPort")?.value, settings.get("haListenPort")?.value);
}
