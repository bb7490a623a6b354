// What a name server knows about the clusters: which broker groups each cluster has and their addresses.
import { parseFastjson } from "./fastjson.ts";
import { isRecord } from "./codec.ts";
import { RequestCode } from "./codes.ts";
import { oneShot } from "./client.ts";
import type { Requester, RemotingResponse } from "./connection.ts";
import { mapLimit } from "./limit.ts";
import { NoNamesrvAnsweredError, fromAnyNamesrv } from "./namesrv.ts";

export interface ClusterInfo {
  /** Broker group → broker id → address; id 0 is the group's master. */
  brokerAddrTable?: Record<string, { cluster?: string; brokerName?: string; brokerAddrs?: Record<string, string> }>;
  /** Cluster → its broker groups. */
  clusterAddrTable?: Record<string, string[]>;
}

/** First line of a refusal's remark, for error messages. */
export const remarkOf = (r: RemotingResponse): string => (r.remark ? ` (${r.remark.split("\n")[0]})` : "");

export async function clusterInfo(namesrv: string, requester: Requester = oneShot, timeoutMs?: number): Promise<ClusterInfo> {
  const r = await requester.request(namesrv, RequestCode.GET_BROKER_CLUSTER_INFO, timeoutMs === undefined ? {} : { timeoutMs });
  if (r.code !== 0) throw new Error(`${namesrv} answered code ${r.code}${remarkOf(r)} to a cluster info request`);
  return parseFastjson(r.body.toString("utf8") || "{}") as ClusterInfo;
}

export interface BrokerMember {
  /** The cluster that lists the group; "" when no cluster lists it. */
  cluster: string;
  brokerName: string;
  /** 0 is the group's master. */
  brokerId: number;
  address: string;
}

/**
 * Every broker the name server knows, one row per group member, in cluster and group order. Entries of the wrong
 * shape are skipped: a string where a map belongs would otherwise be one entry per character.
 */
export function brokersOf(info: ClusterInfo): BrokerMember[] {
  const clusterOf = new Map<string, string>();
  const table = <T>(t: Record<string, T> | undefined): [string, T][] => (isRecord(t) ? Object.entries(t) : []);
  for (const [cluster, groups] of table(info.clusterAddrTable))
    if (Array.isArray(groups)) for (const g of groups) clusterOf.set(g, cluster);
  return table(info.brokerAddrTable).flatMap(([brokerName, group]) =>
    table(isRecord(group) ? group.brokerAddrs : undefined)
      .map(([id, address]) => ({ cluster: clusterOf.get(brokerName) ?? group.cluster ?? "", brokerName, brokerId: Number(id), address }))
      .sort((a, b) => a.brokerId - b.brokerId),
  );
}

/** The group's member with id 0, if the name server lists one (in maps, as brokersOf reads them). */
export function masterOf(info: ClusterInfo, brokerName: string): string | undefined {
  const group: unknown = isRecord(info.brokerAddrTable) ? info.brokerAddrTable[brokerName] : undefined;
  const master = isRecord(group) && isRecord(group.brokerAddrs) ? group.brokerAddrs["0"] : undefined;
  return typeof master === "string" ? master : undefined;
}

/** The masters' addresses of `cluster`'s broker groups, as the name server lists them. */
export function clusterMasters(info: ClusterInfo, cluster: string): string[] {
  return (info.clusterAddrTable?.[cluster] ?? []).flatMap((group) => {
    const master = masterOf(info, group);
    return master ? [master] : [];
  });
}

export interface WaitOptions {
  /** The longest to wait, in milliseconds. */
  timeoutMs: number;
  /** Between two looks. */
  intervalMs: number;
  /** Told why the cluster is not there yet: at the first look that fails, then at most once per `reportEveryMs`. */
  onWaiting?: (why: string) => void;
  reportEveryMs?: number;
}

/** Why a wait ended at its deadline: the last look's reason. */
export class ClusterWaitTimeout extends Error {
  readonly why: string;
  constructor(why: string) {
    super(why);
    this.name = "ClusterWaitTimeout";
    this.why = why;
  }
}

/**
 * Looks until `look` resolves, and resolves with its value; each rejection says why not yet (a name server that
 * did not answer, or answered without what is waited for). Rejects with ClusterWaitTimeout at the deadline.
 */
export async function waitUntil<T>(look: () => Promise<T>, options: WaitOptions): Promise<T> {
  const { timeoutMs, intervalMs, onWaiting, reportEveryMs = 10_000 } = options;
  const deadline = Date.now() + timeoutMs;
  let nextReport = 0;
  for (;;) {
    let why: string;
    try {
      return await look();
    } catch (e) {
      why = e instanceof NoNamesrvAnsweredError ? e.failures.join("; ") : (e as Error).message;
    }
    if (Date.now() >= deadline) throw new ClusterWaitTimeout(why);
    if (onWaiting && Date.now() >= nextReport) {
      onWaiting(why);
      nextReport = Date.now() + reportEveryMs;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Waits until a name server lists a master broker (of `cluster`, or of any cluster): the proxy cannot start
 * without one, and a bootstrap has nothing to write to. Resolves with that name server and the masters it lists.
 */
export function waitForMasters(
  namesrvs: readonly string[],
  options: WaitOptions & { cluster?: string; requester?: Requester },
): Promise<{ namesrv: string; masters: BrokerMember[] }> {
  const { cluster, requester } = options;
  return waitUntil(async () => {
    const { namesrv, value: masters } = await fromAnyNamesrv(namesrvs, async (ns) => {
      const info = await clusterInfo(ns, requester);
      const ofCluster = cluster === undefined ? undefined : clusterMasters(info, cluster);
      const masters = brokersOf(info).filter((b) => b.brokerId === 0 && (ofCluster === undefined || ofCluster.includes(b.address)));
      if (!masters.length)
        throw new Error(
          cluster === undefined
            ? `${ns} lists no master broker yet`
            : `${ns} lists no master of cluster ${cluster} (clusters: ${Object.keys(info.clusterAddrTable ?? {}).join(", ") || "none"})`,
        );
      return masters;
    });
    return { namesrv, masters };
  }, options);
}

/** At most this many brokers written to at once: a name server's list is input from the network. */
const BROKER_FAN_OUT = 8;

/**
 * Runs `write` on every broker given, masters and slaves side by side, at most BROKER_FAN_OUT at a time (users,
 * ACLs and configs are each broker's own).
 * Any failure is named in the error (`group/id: why`), except a slave's where `slavesMayRefuse`: 4.x slaves refuse
 * config writes and copy their masters' instead.
 */
export async function onEveryBroker(
  brokers: readonly BrokerMember[],
  write: (broker: BrokerMember) => Promise<unknown>,
  options: { slavesMayRefuse?: boolean } = {},
): Promise<void> {
  const failures: string[] = [];
  await mapLimit(brokers, BROKER_FAN_OUT, (b) =>
    write(b).catch((e: Error) => {
      if (b.brokerId === 0 || !options.slavesMayRefuse) failures.push(`${b.brokerName}/${b.brokerId}: ${e.message}`);
    }),
  );
  if (failures.length) throw new Error(failures.join("; "));
}
