// A topic's route as a name server answers GET_ROUTEINFO_BY_TOPIC: its queues per broker group and the groups'
// addresses. Every route lookup in this project goes through topicRoute.
import { parseFastjson } from "./fastjson.ts";
import { RequestCode, ResponseCode } from "./codes.ts";
import { remarkOf } from "./cluster.ts";
import type { Requester } from "./connection.ts";

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
}

export interface BrokerData {
  brokerName: string;
  cluster?: string;
  /** Broker id → address; id 0 is the master. */
  brokerAddrs: Record<string, string>;
}

export interface TopicRoute {
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
}

export class NoRouteError extends Error {
  readonly code: number;
  constructor(namesrv: string, topic: string, code: number, remark: string) {
    super(`${namesrv} has no route for topic ${topic}: code ${code}${remark}`);
    this.name = "NoRouteError";
    this.code = code;
  }
}

export async function topicRoute(requester: Requester, namesrv: string, topic: string, timeoutMs?: number): Promise<TopicRoute> {
  const r = await requester.request(namesrv, RequestCode.GET_ROUTEINFO_BY_TOPIC, {
    extFields: { topic },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  if (r.code !== ResponseCode.SUCCESS) throw new NoRouteError(namesrv, topic, r.code, remarkOf(r));
  const route = parseFastjson(r.body.toString("utf8") || "{}") as Partial<TopicRoute>;
  return {
    queueDatas: route.queueDatas ?? [],
    brokerDatas: (route.brokerDatas ?? []).map((b) => ({ ...b, brokerAddrs: b.brokerAddrs ?? {} })),
  };
}

export interface RoutedMaster {
  brokerName: string;
  address: string;
  readQueues: number;
  writeQueues: number;
  perm: number;
}

/** The route's groups that have a master, with their queue counts and permission. */
export function routeMasters(route: TopicRoute): RoutedMaster[] {
  return route.queueDatas.flatMap((q) => {
    const address = route.brokerDatas.find((b) => b.brokerName === q.brokerName)?.brokerAddrs["0"];
    return address ? [{ brokerName: q.brokerName, address, readQueues: q.readQueueNums, writeQueues: q.writeQueueNums, perm: q.perm }] : [];
  });
}
