// HEALTHCHECK: healthy means a client can use this node now. A name server must answer a cluster-info
// request; a broker must answer an admin request AND be listed by a name server at the address it
// advertises (what clients will dial), which also catches a stale or clashing registration; a slave of a
// master/slave pair must also be connected to its master's HA port, and a controller-mode master must have
// minInSyncReplicas replicas in sync (it refuses writes until then). A proxy must accept connections on its
// gRPC port AND answer a route request for its cluster on its remoting port, which it can only do once it
// reaches a name server that lists the cluster's brokers.
import { readFileSync } from "node:fs";
import { loadCatalogue } from "../catalogue/catalogue.ts";
import { parseProperties } from "../configurator/properties.ts";
import { CONF_FILE_NAME, TLS_PROPERTIES_NAME } from "../configurator/file-names.ts";
import { SELF_TEST_TOPIC, brokerConfig, haStatus, maxOffset, type HaStatus } from "../remoting/admin.ts";
import { innerCredentials, type Credentials } from "../remoting/auth.ts";
import { splitAddress, splitNamesrvList, tcpConnect } from "../remoting/address.ts";
import { brokersOf, clusterInfo, masterOf, type ClusterInfo } from "../remoting/cluster.ts";
import { RemotingClient } from "../remoting/connection.ts";
import { NoNamesrvAnsweredError, fromAnyNamesrv } from "../remoting/namesrv.ts";
import { brokerPorts } from "../remoting/ports.ts";
import { topicRoute } from "../remoting/route.ts";

/** What one check found: `healthcheck` prints it as "healthy: <detail>" or "unhealthy: <detail>". */
export interface Verdict {
  healthy: boolean;
  detail: string;
  /** A broker that answers but that no name server lists at its address (see UnlistedBrokerError). */
  unlisted?: boolean;
  /** A controller-mode broker's HA status, as the check read it (the watcher decides on it without asking again). */
  ha?: HaStatus;
}

/** The broker answers its own admin request, but no name server lists it at the address it advertises. */
export class UnlistedBrokerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnlistedBrokerError";
  }
}

/** The check run once, as the image's fallback and `docker exec … healthcheck` do; exits 0 when healthy. */
export async function healthcheck(runtimeDir: string): Promise<number> {
  const client = ownClient(runtimeDir);
  try {
    const v = await judge(runtimeDir, client);
    process.stdout.write(`${v.healthy ? "healthy" : "unhealthy"}: ${v.detail}\n`);
    return v.healthy ? 0 : 1;
  } finally {
    client.close();
  }
}

/**
 * A client that speaks to this node as the node's own clients do: with authentication on, brokers and proxies
 * answer only signed requests, signed as the node signs its own; with TLS_MODE set, over TLS, trusting what the
 * node's own client trusts.
 */
export function ownClient(runtimeDir: string): RemotingClient {
  return new RemotingClient({ credentials: ownCredentials(runtimeDir), tls: ownTls(runtimeDir), maxFrameBytes: CHECK_MAX_FRAME_BYTES });
}

/**
 * The watcher runs in a 16 MB heap (docker-entrypoint): an answer it parses must fit there many times over. What it
 * reads is small, a cluster's brokers or one broker's config (tens of KiB for a large cluster); a larger answer is an
 * error of the check, never the watcher's end.
 */
export const CHECK_MAX_FRAME_BYTES = 1024 * 1024;

export async function judge(runtimeDir: string, client: RemotingClient): Promise<Verdict> {
  const seen: Seen = {};
  try {
    return { healthy: true, detail: await check(runtimeDir, client, seen), ...seen };
  } catch (e) {
    return { healthy: false, detail: (e as Error).message, ...(e instanceof UnlistedBrokerError ? { unlisted: true } : {}), ...seen };
  }
}

/** What a check read on its way that the verdict carries, whether the check passed or failed after it. */
type Seen = Pick<Verdict, "ha">;

/** The node's own inner-client credentials (AUTH_ENABLED sets them), from the file RocketMQ reads; none for a name server. */
function ownCredentials(runtimeDir: string): Credentials | undefined {
  const role = process.env.RMQ_ROLE;
  try {
    if (role === "proxy") {
      const conf = JSON.parse(readFileSync(`${runtimeDir}/${CONF_FILE_NAME.proxy}`, "utf8")) as Record<string, unknown>;
      return conf.authenticationEnabled === true ? innerCredentials(String(conf.innerClientAuthenticationCredentials ?? "")) : undefined;
    }
    if (role !== "broker") return undefined;
    const conf = propertiesFile(`${runtimeDir}/${CONF_FILE_NAME.broker}`);
    return conf.get("authenticationEnabled") === "true" ? innerCredentials(conf.get("innerClientAuthenticationCredentials")) : undefined;
  } catch {
    return undefined; // check() reports the missing or unreadable file
  }
}

/** TLS as the node's own client uses it (tls.properties, which TLS_MODE writes); none without that file. */
function ownTls(runtimeDir: string): { ca?: Buffer } | undefined {
  let tls: Map<string, string>;
  try {
    tls = propertiesFile(`${runtimeDir}/${TLS_PROPERTIES_NAME}`);
  } catch {
    return undefined;
  }
  const trust = tls.get("tls.client.trustCertPath");
  return trust ? { ca: readFileSync(trust) } : {};
}

/** A properties file (a rendered conf) as a map of its keys. */
export function propertiesFile(path: string): Map<string, string> {
  return new Map(parseProperties(readFileSync(path, "utf8")).map((p) => [p.key, p.value]));
}

async function check(runtimeDir: string, client: RemotingClient, seen: Seen): Promise<string> {
  const role = process.env.RMQ_ROLE;
  if (role === "proxy") return checkProxy(runtimeDir, client);
  if (role !== "namesrv" && role !== "broker") throw new Error(`RMQ_ROLE is ${JSON.stringify(role)}, not one of the images' roles`);
  const conf = propertiesFile(`${runtimeDir}/${CONF_FILE_NAME[role]}`);
  const port = conf.get("listenPort");
  if (role === "namesrv") {
    await clusterInfo(`127.0.0.1:${port}`, client);
    return `name server answers on ${port}`;
  }
  // Answered by the broker's admin processor, as a runtime-info request is, for about 1 ms of its CPU where runtime
  // info costs 15 (it gathers the store's and the timers' statistics): that was a broker's dearest idle work.
  await maxOffset(client, `127.0.0.1:${port}`, SELF_TEST_TOPIC, 0);
  // Read before the listing is checked: the watcher prompts an unlisted replica without a master too.
  if (isControllerMode(conf)) seen.ha = await haStatus(client, `127.0.0.1:${port}`);
  const advertised = `${conf.get("brokerIP1")}:${port}`;
  const brokerName = conf.get("brokerName") ?? "";
  const listed = await fromAnyNamesrv(splitNamesrvList(conf.get("namesrvAddr") ?? ""), async (namesrv) => {
    const info = await clusterInfo(namesrv, client);
    const addrs = addressesOf(info, brokerName);
    if (!addrs.includes(advertised)) throw new Error(`${namesrv} lists ${brokerName} at [${addrs.join(", ")}], not ${advertised}`);
    return info;
  }).catch((e: Error) => {
    throw new UnlistedBrokerError(
      `broker answers but no name server lists it at ${advertised}: ${e instanceof NoNamesrvAnsweredError ? e.failures.join("; ") : e.message}`,
    );
  });
  const registered = `broker ${brokerName} is registered at ${advertised} with ${listed.namesrv}`;
  if (seen.ha) checkInSyncReplicas(seen.ha, conf, registered);
  const master = masterOf(listed.value, brokerName);
  if (!isClassicSlave(conf) || !master) return registered;
  // A SYNC_MASTER acknowledges writes only once its slave has them: a slave is ready when it replicates.
  const link = await replicationLink(client, conf, master, readProcNet).catch((e: Error) => {
    throw new Error(`${registered}, but its master's HA port is not known: ${e.message}`);
  });
  if (!link.connected) throw new Error(`${registered}, but it is not yet connected to its master ${master}'s HA port ${link.haPort}`);
  return `${registered} and replicates from its master ${master}`;
}

/**
 * The HA port of each master this slave was found connected to: the watcher's next checks do not ask the master for
 * its whole config again (a few milliseconds of its CPU each time) while the link stands; once it is down, the
 * master is asked again (it may have come back with another haListenPort).
 */
const knownHaPorts = new Map<string, number>();

/** Whether this slave holds a connection to its master's HA port, and that port. */
export async function replicationLink(
  client: RemotingClient,
  conf: Map<string, string>,
  master: string,
  procNetTcp: () => string,
): Promise<{ haPort: number; connected: boolean }> {
  const haPort = knownHaPorts.get(master) ?? (await masterHaPort(client, conf, master));
  const connected = hasEstablishedConnection(procNetTcp(), haPort);
  if (connected) knownHaPorts.set(master, haPort);
  else knownHaPorts.delete(master);
  return { haPort, connected };
}

/**
 * A controller-mode master refuses writes while fewer replicas than minInSyncReplicas are in its SyncStateSet
 * (right after its election, until one catches up): it is not usable yet, and says so.
 */
export function checkInSyncReplicas(ha: HaStatus, conf: Map<string, string>, registered: string): void {
  const atLeast = Number(conf.get("minInSyncReplicas") ?? "1");
  const inSync = (ha.inSyncSlaveNums ?? 0) + 1;
  if (ha.master && inSync < atLeast) {
    throw new Error(
      `${registered} as master, but ${inSync} of its replicas are in sync, fewer than minInSyncReplicas=${atLeast}: it refuses writes until another catches up`,
    );
  }
}

/** The addresses a name server's cluster info lists for the broker group `brokerName`. */
function addressesOf(info: ClusterInfo, brokerName: string): string[] {
  return brokersOf(info)
    .filter((b) => b.brokerName === brokerName)
    .map((b) => b.address);
}

/**
 * The name servers of this broker that answer but do not list it at the address it advertises: one restarted
 * since the broker last registered (it knows a broker only once the broker registers again). Those that do not
 * answer are not counted: a broker cannot register with them either.
 */
/** How long the scan waits for each name server: briefly, since the watcher's verdict waits for it. */
const NAMESRV_SCAN_TIMEOUT_MS = 1_500;

export async function namesrvsNotListing(conf: Map<string, string>, client: RemotingClient): Promise<string[]> {
  const advertised = `${conf.get("brokerIP1")}:${conf.get("listenPort")}`;
  const brokerName = conf.get("brokerName") ?? "";
  const namesrvs = splitNamesrvList(conf.get("namesrvAddr") ?? "");
  const listing = await Promise.all(
    namesrvs.map((namesrv) =>
      clusterInfo(namesrv, client, NAMESRV_SCAN_TIMEOUT_MS).then(
        (info) => addressesOf(info, brokerName).includes(advertised),
        () => true,
      ),
    ),
  );
  return namesrvs.filter((_, i) => !listing[i]);
}

/**
 * The port this slave replicates from: that of its own haMasterAddress if set (RocketMQ then ignores what the name
 * server says), else the master's HA port, which only the master knows: haListenPort may move it (RocketMQ 5).
 */
export async function masterHaPort(client: RemotingClient, conf: Map<string, string>, master: string): Promise<number> {
  const fixed = conf.get("haMasterAddress");
  if (fixed) return splitAddress(fixed)[1];
  const config = await brokerConfig(client, master);
  return brokerPorts(splitAddress(master)[1], config.haListenPort).ha;
}

/** A broker whose group elects its master (DLedger and controller modes), rather than one whose role is its own. */
export function electsRole(conf: Map<string, string>): boolean {
  return conf.get("enableDLegerCommitLog") === "true" || isControllerMode(conf);
}

/** A broker whose group's controllers elect its master and keep its SyncStateSet (RocketMQ 5). */
export function isControllerMode(conf: Map<string, string>): boolean {
  return conf.get("enableControllerMode") === "true";
}

/** A slave of a master/slave pair (DLedger and controller modes elect roles and replicate otherwise). */
function isClassicSlave(conf: Map<string, string>): boolean {
  return conf.get("brokerRole") === "SLAVE" && !electsRole(conf);
}

function readProcNet(): string {
  return ["/proc/net/tcp", "/proc/net/tcp6"]
    .map((f) => {
      try {
        return readFileSync(f, "utf8");
      } catch {
        return "";
      }
    })
    .join("\n");
}

/** Whether /proc/net/tcp{,6} text lists an ESTABLISHED (state 01) connection to `remotePort`. */
export function hasEstablishedConnection(procNetTcp: string, remotePort: number): boolean {
  const port = remotePort.toString(16).toUpperCase().padStart(4, "0");
  return procNetTcp.split("\n").some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[3] === "01" && fields[2]?.endsWith(`:${port}`);
  });
}

async function checkProxy(runtimeDir: string, client: RemotingClient): Promise<string> {
  const conf = JSON.parse(readFileSync(`${runtimeDir}/${CONF_FILE_NAME.proxy}`, "utf8")) as Record<string, unknown>;
  const catalogue = loadCatalogue(process.env.RMQ_VERSION ?? "", "proxy");
  const setting = (key: string): string => String(conf[key] ?? catalogue.get(key)?.default ?? "");
  const grpcPort = setting("grpcServerPort");
  const dial = await tcpConnect("127.0.0.1", Number(grpcPort));
  if (!dial.ok) throw new Error(`gRPC port ${grpcPort} accepts no connection (${dial.code})`);
  const remotingPort = setting("remotingListenPort");
  const cluster = setting("rocketMQClusterName");
  // Every broker serves a topic named after its cluster: its route lists the cluster's broker groups.
  const route = await topicRoute(client, `127.0.0.1:${remotingPort}`, cluster).catch((e: Error) => {
    throw new Error(
      `gRPC port ${grpcPort} accepts connections, but the remoting port ${remotingPort} has no route to cluster ${cluster}'s brokers yet (${e.message})`,
    );
  });
  const groups = route.brokerDatas.map((b) => b.brokerName).join(", ");
  return `proxy accepts gRPC on ${grpcPort} and routes cluster ${cluster} (broker groups: ${groups || "none listed"}) on ${remotingPort}`;
}
