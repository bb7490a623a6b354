// Address diagnostics: the console dials every address the brokers advertise (client port, fast port, HA port)
// and says what is unreachable from here, with the likely fix. The core is pure (the dialer is passed in);
// `tcpDial` is the edge. Reachability is the console's view: a client elsewhere may see something else.
import { splitAddress, tcpConnect, type DialResult } from "../remoting/address.ts";
import { brokerPorts } from "../remoting/ports.ts";
import { mapLimit } from "../remoting/limit.ts";

export type { DialResult };

export interface BrokerAddress {
  cluster: string;
  brokerName: string;
  brokerId: number;
  /** As registered with the name server (brokerIP1:listenPort). */
  address: string;
  /** The broker's effective config, when it answered. */
  config?: Record<string, string>;
}

export type PortKind = "client" | "fast" | "ha";

export type Dial = (host: string, port: number) => Promise<DialResult>;

export interface DiagnosticRow {
  cluster: string;
  brokerName: string;
  brokerId: number;
  kind: PortKind;
  address: string;
  reachable: boolean;
  connectMs: number;
  error?: string;
  /** Whether a failure matters: the fast port is only used by clients with vipChannelEnabled. */
  severity: "ok" | "warning" | "error";
  hint?: string;
  /** What clients elsewhere (other hosts, Docker Desktop) likely see, when it differs from the console's view. */
  elsewhere?: string;
}

export interface Diagnosis {
  note: string;
  rows: DiagnosticRow[];
  problems: string[];
}

const PRIVATE = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/;
/** Docker's default address pools for bridge networks. */
const DOCKER_BRIDGE = /^172\.(1[7-9]|2\d|3[01])\./;
const ELSEWHERE =
  "Likely a container address: reachable from the docker host and its containers, not from other hosts or Docker Desktop's host. For those clients set BROKER_IP1 to the docker host's address (ports are published one-to-one).";

export async function diagnose(brokers: BrokerAddress[], dial: Dial): Promise<Diagnosis> {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const targets: { b: BrokerAddress; kind: PortKind; host: string; port: number }[] = [];
  for (const b of brokers) {
    const who = `${b.brokerName} (id ${b.brokerId})`;
    const hostAndPort = advertised(b.address);
    if (!hostAndPort) {
      problems.push(
        `${who} advertises ${JSON.stringify(b.address)}, which is not host:port: nothing to dial; check BROKER_IP1 and LISTEN_PORT`,
      );
      continue;
    }
    const [host, port] = hostAndPort;
    if (/^127\.|^localhost$/.test(host))
      problems.push(
        `${who} advertises ${b.address}, a loopback address no other machine or container can dial: set BROKER_IP1 to an address clients reach`,
      );
    if (/^169\.254\./.test(host)) problems.push(`${who} advertises the link-local address ${b.address}: set BROKER_IP1`);
    const other = seen.get(b.address);
    if (other) problems.push(`${who} and ${other} both advertise ${b.address}: give each broker its own BROKER_IP1 or LISTEN_PORT`);
    seen.set(b.address, who);
    const listenPort = Number(b.config?.listenPort);
    if (b.config?.listenPort && listenPort !== port)
      problems.push(
        `${who} is registered at port ${port} but listens on ${listenPort}: a port mapped to a different host port; publish the triplet one-to-one (-p ${listenPort}:${listenPort})`,
      );
    // The triplet from the advertised port: that is what clients dial. Only the HA port may be set apart.
    const ports = brokerPorts(port, b.config?.haListenPort);
    targets.push({ b, kind: "client", host, port: ports.listen });
    targets.push({ b, kind: "fast", host, port: ports.fast });
    if (b.brokerId === 0) targets.push({ b, kind: "ha", host: b.config?.brokerIP2 || host, port: ports.ha });
  }
  const rows = await mapLimit(targets, 16, async (t): Promise<DiagnosticRow> => {
    const r = await dial(t.host, t.port);
    const base = {
      cluster: t.b.cluster,
      brokerName: t.b.brokerName,
      brokerId: t.b.brokerId,
      kind: t.kind,
      address: `${t.host}:${t.port}`,
      reachable: r.ok,
      connectMs: r.ms,
    };
    if (r.ok) return { ...base, severity: "ok", ...(DOCKER_BRIDGE.test(t.host) ? { elsewhere: ELSEWHERE } : {}) };
    return {
      ...base,
      error: r.code ?? "unreachable",
      severity: t.kind === "fast" ? "warning" : "error",
      hint: hint(t.kind, t.host, t.port, r.code),
    };
  });
  return {
    note: "Each address the brokers advertise, dialed from the console's container. Clients elsewhere (another host, Docker Desktop) may see something different: an address reachable here can still be a container address they cannot dial.",
    rows,
    problems,
  };
}

export function hint(kind: PortKind, host: string, port: number, code: string | undefined): string {
  const variable = kind === "ha" ? "BROKER_IP2 (or BROKER_IP1)" : "BROKER_IP1";
  if (kind === "fast")
    return `Nothing listens on the fast port ${port} (listen port − 2): only clients with vipChannelEnabled=true use it; turn that off in the client, or publish -p ${port}:${port}.`;
  if (/^(127\.|::1$|localhost$)/.test(host))
    return `${host} is a loopback address: each client (and each container) reads it as itself, so only clients on the broker's own host or in its own container reach it; set ${variable} to the docker host's IP.`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return `The name ${host} does not resolve from the console: set ${variable} to an IP, or to a name every client can resolve.`;
  if (code === "ECONNREFUSED")
    return `${host} answers but nothing listens on ${port}: publish the port one-to-one (-p ${port}:${port}), or set LISTEN_PORT to the port that is published${kind === "ha" ? "; slaves dial this HA port" : ""}.`;
  if (PRIVATE.test(host))
    return `${host} is a private (likely container) address not routed to the console: set ${variable} to an address clients can reach (the docker host's IP) and publish the port one-to-one.`;
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH")
    return `No route to ${host}: set ${variable} to an address on a network clients share with the broker.`;
  return `${host}:${port} did not answer in time (${code ?? "timeout"}): a firewall drops it, or ${variable} names a host that is down.`;
}

/** An advertised address as [host, port]; undefined when it is not host:port. */
function advertised(address: string): [string, number] | undefined {
  try {
    return splitAddress(address);
  } catch {
    return undefined;
  }
}

/** The edge: one TCP connect per dial, bounded by `timeoutMs`. */
export function tcpDial(timeoutMs = 2000): Dial {
  return (host, port) => tcpConnect(host, port, timeoutMs);
}
