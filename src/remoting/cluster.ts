// What a name server knows about the clusters: which broker groups each cluster has and their addresses.
import { parseFastjson } from "./fastjson.ts";
import { RequestCode, request } from "./client.ts";

export interface ClusterInfo {
  /** Broker group → broker id → address; id 0 is the group's master. */
  brokerAddrTable?: Record<string, { brokerAddrs?: Record<string, string> }>;
  /** Cluster → its broker groups. */
  clusterAddrTable?: Record<string, string[]>;
}

export async function clusterInfo(namesrv: string): Promise<ClusterInfo> {
  const r = await request(namesrv, RequestCode.GET_BROKER_CLUSTER_INFO);
  if (r.code !== 0) throw new Error(`${namesrv} answered code ${r.code} ${r.remark ?? ""}`);
  return parseFastjson(r.body.toString("utf8") || "{}") as ClusterInfo;
}

/** The masters' addresses of `cluster`'s broker groups, as the name server lists them. */
export function clusterMasters(info: ClusterInfo, cluster: string): string[] {
  return (info.clusterAddrTable?.[cluster] ?? []).flatMap((group) => {
    const master = info.brokerAddrTable?.[group]?.brokerAddrs?.["0"];
    return master ? [master] : [];
  });
}
