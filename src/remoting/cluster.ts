// What a name server knows about the clusters: which broker groups each cluster has and their addresses.
import { parseFastjson } from "./fastjson.ts";
import { RequestCode } from "./codes.ts";
import { oneShot } from "./client.ts";
import type { Requester, RemotingResponse } from "./connection.ts";

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

/** Every broker the name server knows, one row per group member, in cluster and group order. */
export function brokersOf(info: ClusterInfo): BrokerMember[] {
  const clusterOf = new Map<string, string>();
  for (const [cluster, groups] of Object.entries(info.clusterAddrTable ?? {})) for (const g of groups) clusterOf.set(g, cluster);
  return Object.entries(info.brokerAddrTable ?? {}).flatMap(([brokerName, group]) =>
    Object.entries(group.brokerAddrs ?? {})
      .map(([id, address]) => ({ cluster: clusterOf.get(brokerName) ?? group.cluster ?? "", brokerName, brokerId: Number(id), address }))
      .sort((a, b) => a.brokerId - b.brokerId),
  );
}

/** The group's member with id 0, if the name server lists one. */
export function masterOf(info: ClusterInfo, brokerName: string): string | undefined {
  return info.brokerAddrTable?.[brokerName]?.brokerAddrs?.["0"];
}

/** The masters' addresses of `cluster`'s broker groups, as the name server lists them. */
export function clusterMasters(info: ClusterInfo, cluster: string): string[] {
  return (info.clusterAddrTable?.[cluster] ?? []).flatMap((group) => {
    const master = masterOf(info, group);
    return master ? [master] : [];
  });
}
