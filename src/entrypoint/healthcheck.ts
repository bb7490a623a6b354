// HEALTHCHECK: healthy means a client can use this node now. A name server must answer a cluster-info
// request; a broker must answer a runtime-info request AND be listed by a name server at the address it
// advertises (what clients will dial), which also catches a stale or clashing registration. A proxy must
// accept connections on its gRPC port AND answer a route request for its cluster on its remoting port, which
// it can only do once it reaches a name server that lists the cluster's brokers.
import { readFileSync } from "node:fs";
import { Socket } from "node:net";
import { loadCatalogue } from "../catalogue/catalogue.ts";
import { parseProperties } from "../configurator/properties.ts";
import { CONF_FILE_NAME } from "../configurator/variables.ts";
import { clusterInfo } from "../remoting/cluster.ts";
import { parseFastjson } from "../remoting/fastjson.ts";
import { RequestCode, request } from "../remoting/client.ts";

interface TopicRoute {
  brokerDatas?: { brokerName?: string; brokerAddrs?: Record<string, string> }[];
}

export async function healthcheck(runtimeDir: string): Promise<number> {
  try {
    const message = await check(runtimeDir);
    process.stdout.write(`healthy: ${message}\n`);
    return 0;
  } catch (e) {
    process.stdout.write(`unhealthy: ${(e as Error).message}\n`);
    return 1;
  }
}

async function check(runtimeDir: string): Promise<string> {
  const role = process.env.RMQ_ROLE;
  if (role === "proxy") return checkProxy(runtimeDir);
  const conf = new Map(parseProperties(readFileSync(`${runtimeDir}/${role}.conf`, "utf8")).map((p) => [p.key, p.value]));
  const port = conf.get("listenPort");
  if (role === "namesrv") {
    const r = await request(`127.0.0.1:${port}`, RequestCode.GET_BROKER_CLUSTER_INFO);
    if (r.code !== 0) throw new Error(`name server answered code ${r.code} ${r.remark ?? ""}`);
    return `name server answers on ${port}`;
  }
  const runtime = await request(`127.0.0.1:${port}`, RequestCode.GET_BROKER_RUNTIME_INFO);
  if (runtime.code !== 0) throw new Error(`broker answered code ${runtime.code} ${runtime.remark ?? ""}`);
  const advertised = `${conf.get("brokerIP1")}:${port}`;
  const brokerName = conf.get("brokerName") ?? "";
  const problems: string[] = [];
  for (const namesrv of (conf.get("namesrvAddr") ?? "").split(";").filter(Boolean)) {
    try {
      const info = await clusterInfo(namesrv);
      const addrs = Object.values(info.brokerAddrTable?.[brokerName]?.brokerAddrs ?? {});
      if (addrs.includes(advertised)) {
        const registered = `broker ${brokerName} is registered at ${advertised} with ${namesrv}`;
        const master = info.brokerAddrTable?.[brokerName]?.brokerAddrs?.["0"];
        if (!isClassicSlave(conf) || !master) return registered;
        // A SYNC_MASTER acknowledges writes only once its slave has them: a slave is ready when it replicates.
        const haPort = Number(master.split(":").pop()) + 1;
        if (!hasEstablishedConnection(readProcNet(), haPort)) {
          throw new Error(`${registered}, but it is not yet connected to its master ${master}'s HA port ${haPort}`);
        }
        return `${registered} and replicates from its master ${master}`;
      }
      problems.push(`${namesrv} lists ${brokerName} at [${addrs.join(", ")}], not ${advertised}`);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  throw new Error(`broker answers but no name server lists it at ${advertised}: ${problems.join("; ")}`);
}

/** A slave of a master/slave pair (DLedger and controller modes elect roles and replicate otherwise). */
function isClassicSlave(conf: Map<string, string>): boolean {
  return conf.get("brokerRole") === "SLAVE" && conf.get("enableDLegerCommitLog") !== "true" && conf.get("enableControllerMode") !== "true";
}

function readProcNet(): string {
  return ["/proc/net/tcp", "/proc/net/tcp6"].map((f) => {
    try {
      return readFileSync(f, "utf8");
    } catch {
      return "";
    }
  }).join("\n");
}

/** Whether /proc/net/tcp{,6} text lists an ESTABLISHED (state 01) connection to `remotePort`. */
export function hasEstablishedConnection(procNetTcp: string, remotePort: number): boolean {
  const port = remotePort.toString(16).toUpperCase().padStart(4, "0");
  return procNetTcp.split("\n").some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[3] === "01" && fields[2]?.endsWith(`:${port}`);
  });
}

async function checkProxy(runtimeDir: string): Promise<string> {
  const conf = JSON.parse(readFileSync(`${runtimeDir}/${CONF_FILE_NAME.proxy}`, "utf8")) as Record<string, unknown>;
  const catalogue = loadCatalogue(process.env.RMQ_VERSION ?? "", "proxy");
  const setting = (key: string): string => String(conf[key] ?? catalogue.get(key)?.default ?? "");
  const grpcPort = setting("grpcServerPort");
  await connect("127.0.0.1", Number(grpcPort));
  const remotingPort = setting("remotingListenPort");
  const cluster = setting("rocketMQClusterName");
  // Every broker serves a topic named after its cluster: its route lists the cluster's broker groups.
  const r = await request(`127.0.0.1:${remotingPort}`, RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: cluster } });
  if (r.code !== 0) {
    throw new Error(`gRPC port ${grpcPort} accepts connections, but the remoting port ${remotingPort} has no route to cluster ${cluster}'s brokers yet (code ${r.code} ${r.remark ?? ""})`);
  }
  const route = parseFastjson(r.body.toString("utf8") || "{}") as TopicRoute;
  const groups = (route.brokerDatas ?? []).map((b) => b.brokerName).join(", ");
  return `proxy accepts gRPC on ${grpcPort} and routes cluster ${cluster} (broker groups: ${groups || "none listed"}) on ${remotingPort}`;
}

/** Resolves once something accepts a TCP connection on host:port. */
function connect(host: string, port: number, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const done = (err?: Error): void => {
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`${host}:${port}: no connection within ${timeoutMs} ms`)));
    socket.on("error", (e) => done(new Error(`gRPC port ${port}: ${e.message}`)));
    socket.connect(port, host, () => done());
  });
}
