// What the console shows, read over the remoting protocol: the name servers' view of the cluster and each
// broker's runtime figures. Broker requests run side by side, each bounded by the request timeout, so a node
// that is down or paused slows a page by at most that timeout; answers are cached for a moment.
import { clusterInfo } from "../remoting/cluster.ts";
import { brokerRuntimeInfo, topicList } from "../remoting/admin.ts";
import type { RemotingClient } from "../remoting/connection.ts";
import { createTopic } from "../remoting/topics.ts";

export interface BrokerView {
  cluster: string;
  brokerName: string;
  brokerId: number;
  address: string;
  role: "master" | "slave";
  /** null when the broker did not answer; `error` says why. */
  version: string | null;
  tpsIn: number | null;
  tpsOut: number | null;
  diskUsedRatio: number | null;
  error?: string;
}

export interface ClusterOverview {
  namesrv: string;
  brokers: BrokerView[];
}

export interface ClusterSource {
  overview(): Promise<ClusterOverview>;
  topics(): Promise<string[]>;
  createTopic(name: string, queues: number): Promise<void>;
}

export class RemotingClusterSource implements ClusterSource {
  private readonly client: RemotingClient;
  private readonly namesrvs: string[];
  private readonly cacheMs: number;
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(client: RemotingClient, namesrvAddr: string, cacheMs = 2000) {
    this.client = client;
    this.namesrvs = namesrvAddr.split(";").map((a) => a.trim()).filter(Boolean);
    this.cacheMs = cacheMs;
  }

  overview(): Promise<ClusterOverview> {
    return this.cached("overview", async () => {
      const { namesrv, value: info } = await this.fromAnyNamesrv((ns) => clusterInfo(ns));
      const members = Object.entries(info.clusterAddrTable ?? {}).flatMap(([cluster, names]) =>
        names.flatMap((brokerName) => Object.entries(info.brokerAddrTable?.[brokerName]?.brokerAddrs ?? {}).map(([id, address]) => ({ cluster, brokerName, id: Number(id), address }))),
      );
      const brokers = await Promise.all(
        members.map(async (m): Promise<BrokerView> => {
          const base = { cluster: m.cluster, brokerName: m.brokerName, brokerId: m.id, address: m.address, role: m.id === 0 ? ("master" as const) : ("slave" as const) };
          try {
            const t = await brokerRuntimeInfo(this.client, m.address);
            return { ...base, version: t.brokerVersionDesc ?? null, tpsIn: firstNumber(t.putTps), tpsOut: firstNumber(t.getTransferredTps ?? t.getTransferedTps), diskUsedRatio: diskUsed(t.commitLogDirCapacity) };
          } catch (e) {
            return { ...base, version: null, tpsIn: null, tpsOut: null, diskUsedRatio: null, error: (e as Error).message };
          }
        }),
      );
      brokers.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.brokerName.localeCompare(b.brokerName) || a.brokerId - b.brokerId);
      return { namesrv, brokers };
    });
  }

  topics(): Promise<string[]> {
    return this.cached("topics", async () => (await this.fromAnyNamesrv((ns) => topicList(this.client, ns))).value);
  }

  async createTopic(name: string, queues: number): Promise<void> {
    await this.fromAnyNamesrv((ns) => createTopic(ns, name, { queues }));
    this.cache.delete("topics");
  }

  private async fromAnyNamesrv<T>(read: (namesrv: string) => Promise<T>): Promise<{ namesrv: string; value: T }> {
    const failures: string[] = [];
    for (const namesrv of this.namesrvs) {
      try {
        return { namesrv, value: await read(namesrv) };
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
    throw new Error(`no name server answered: ${failures.join("; ")}`);
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.value as Promise<T>;
    const value = load();
    this.cache.set(key, { at: Date.now(), value });
    value.catch(() => this.cache.delete(key));
    return value;
  }
}

/** "12.5 10.1 9.8" (TPS over 10 s, 1 min, 10 min) → 12.5 */
function firstNumber(text: string | undefined): number | null {
  const n = Number((text ?? "").trim().split(/\s+/)[0]);
  return Number.isFinite(n) && text ? n : null;
}

/** "Total : 49.1 GiB, Free : 21.3 GiB." → 0.566 */
function diskUsed(text: string | undefined): number | null {
  const m = /Total\s*:\s*([\d.]+)\s*(\w+),\s*Free\s*:\s*([\d.]+)\s*(\w+)/.exec(text ?? "");
  if (!m) return null;
  const units: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };
  const total = Number(m[1]) * (units[m[2]!] ?? 1);
  const free = Number(m[3]) * (units[m[4]!] ?? 1);
  return total > 0 ? Math.round((1 - free / total) * 1000) / 1000 : null;
}
