// A topic's route as a name server answers GET_ROUTEINFO_BY_TOPIC: its queues per broker group and the groups'
// addresses. Every route lookup in this project goes through topicRoute.
import { parseFastjson } from "./fastjson.ts";
import { RequestCode, ResponseCode } from "./codes.ts";
import { remarkOf } from "./cluster.ts";
import { isRecord, kindOf } from "./codec.ts";
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

/**
 * Queue counts and ids above this are refused: RocketMQ's topics have a handful of queues per broker (4 or 8 by
 * default), and a peer's count is otherwise trusted to size arrays and loops.
 */
export const MAX_QUEUES = 65_536;

/** `n` when it is a queue count (0..MAX_QUEUES), else an error saying `what` it was. */
export function queueCount(n: unknown, what: string): number {
  if (typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= MAX_QUEUES) return n;
  throw new Error(`${what} is ${kindOf(n)}, not a queue count (0..${MAX_QUEUES})`);
}

/** `n` when it is a queue id (0..MAX_QUEUES - 1), else an error saying `what` it was. */
export function queueIdOf(n: unknown, what: string): number {
  if (typeof n === "number" && Number.isInteger(n) && n >= 0 && n < MAX_QUEUES) return n;
  throw new Error(`${what} is ${kindOf(n)}, not a queue id (0..${MAX_QUEUES - 1})`);
}

export async function topicRoute(requester: Requester, namesrv: string, topic: string, timeoutMs?: number): Promise<TopicRoute> {
  const r = await requester.request(namesrv, RequestCode.GET_ROUTEINFO_BY_TOPIC, {
    extFields: { topic },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  if (r.code !== ResponseCode.SUCCESS) throw new NoRouteError(namesrv, topic, r.code, remarkOf(r));
  // The shape is checked before anything is spread or iterated: a string there would become one entry per character.
  const route = parseFastjson(r.body.toString("utf8") || "{}");
  const bad = (what: string, v: unknown, want: string): never => {
    throw new Error(`${namesrv}'s route for topic ${topic}: ${what} is ${kindOf(v)}, not ${want}`);
  };
  if (!isRecord(route)) return bad("the answer", route, "an object");
  const list = (name: string): Record<string, unknown>[] => {
    const v = route[name] ?? [];
    if (!Array.isArray(v)) return bad(name, v, "an array");
    return v.map((item: unknown, i) => (isRecord(item) ? item : bad(`${name}[${i}]`, item, "an object")));
  };
  const where = `${namesrv}'s route for topic ${topic}: queueDatas`;
  return {
    queueDatas: list("queueDatas").map((q, i) => ({
      ...(q as unknown as QueueData),
      readQueueNums: queueCount(q.readQueueNums, `${where}[${i}].readQueueNums`),
      writeQueueNums: queueCount(q.writeQueueNums, `${where}[${i}].writeQueueNums`),
    })),
    brokerDatas: list("brokerDatas").map((b, i) => {
      const brokerAddrs = b.brokerAddrs ?? {};
      if (!isRecord(brokerAddrs)) return bad(`brokerDatas[${i}].brokerAddrs`, brokerAddrs, "an object");
      return { ...(b as unknown as BrokerData), brokerAddrs: brokerAddrs as Record<string, string> };
    }),
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
