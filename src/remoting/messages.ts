// Message requests over the remoting protocol, for the console: send a test message, find messages by key or id,
// list a topic's newest messages (dead letters) and send a dead letter back to its group; consumer and producer
// connections and offset resets. Written from RocketMQ's request headers; the records brokers answer with are
// decoded by message-codec.ts.
import { randomBytes } from "node:crypto";
import { parseFastjson } from "./fastjson.ts";
import { topicStats } from "./admin.ts";
import { splitNamesrvList } from "./address.ts";
import { RequestCode } from "./codes.ts";
import { remarkOf } from "./cluster.ts";
import { fromAnyNamesrv } from "./namesrv.ts";
import { mapLimit } from "./limit.ts";
import { routeMasters, topicRoute, type RoutedMaster, type TopicRoute } from "./route.ts";
import {
  PREVIEW_BYTES,
  breaksProperties,
  decodeMessages,
  encodeProperties,
  parseOffsetMsgId,
  previewOf,
  type DecodedMessage,
} from "./message-codec.ts";
import type { RemotingClient } from "./connection.ts";

/**
 * The name servers to ask for a topic's route: one, several in the NAMESRV_ADDR form ("a:9876;b:9876"), or a
 * list. Only the route lookup fails over between them; what goes to a broker is sent once.
 */
export type Namesrvs = string | readonly string[];

/** The topic's route, from the first name server that answers. */
async function routeOf(client: RemotingClient, namesrvs: Namesrvs, topic: string): Promise<TopicRoute> {
  const list = typeof namesrvs === "string" ? splitNamesrvList(namesrvs) : namesrvs;
  return (await fromAnyNamesrv(list, (namesrv) => topicRoute(client, namesrv, topic))).value;
}

/** The topic's masters, with their broker names and queue counts. */
export async function masters(client: RemotingClient, namesrvs: Namesrvs, topic: string): Promise<RoutedMaster[]> {
  return routeMasters(await routeOf(client, namesrvs, topic));
}

export interface OutgoingMessage {
  topic: string;
  body: string | Buffer;
  tags?: string;
  keys?: string[];
  properties?: Record<string, string>;
}

export interface SendResult {
  msgId: string;
  offsetMsgId: string;
  brokerName: string;
  queueId: number;
  queueOffset: number;
}

let nextQueue = 0;

/** Sends one message to a writable queue of one of the topic's masters (round robin), as a producer would. */
export async function sendMessage(client: RemotingClient, namesrvs: Namesrvs, message: OutgoingMessage): Promise<SendResult> {
  // Tags, keys and properties travel in one string where \u0001 and \u0002 separate names and values.
  for (const text of [message.tags ?? "", ...(message.keys ?? []), ...Object.entries(message.properties ?? {}).flat()]) {
    if (breaksProperties(text))
      throw Object.assign(new Error("tags, keys and properties cannot contain the characters \\u0001 or \\u0002"), { statusCode: 400 });
  }
  const writable = (await masters(client, namesrvs, message.topic)).filter((m) => m.writeQueues > 0 && (m.perm & 2) !== 0);
  if (!writable.length) throw new Error(`topic ${message.topic} has no writable queue on any master`);
  // The n-th writable queue across the masters, counted rather than listed (topicRoute bounds each count).
  let queueId = nextQueue++ % writable.reduce((sum, m) => sum + m.writeQueues, 0);
  let i = 0;
  while (queueId >= writable[i]!.writeQueues) queueId -= writable[i++]!.writeQueues;
  const slot = { ...writable[i]!, queueId };
  const msgId = randomBytes(16).toString("hex").toUpperCase();
  const properties: Record<string, string> = {
    ...message.properties,
    ...(message.keys?.length ? { KEYS: message.keys.join(" ") } : {}),
    ...(message.tags ? { TAGS: message.tags } : {}),
    UNIQ_KEY: msgId,
    WAIT: "true",
  };
  const r = await client.request(slot.address, RequestCode.SEND_MESSAGE, {
    extFields: {
      producerGroup: "CONSOLE_PRODUCER",
      topic: message.topic,
      defaultTopic: "TBW102",
      defaultTopicQueueNums: "4",
      queueId: String(slot.queueId),
      sysFlag: "0",
      bornTimestamp: String(Date.now()),
      flag: "0",
      properties: encodeProperties(properties),
      reconsumeTimes: "0",
      unitMode: "false",
      batch: "false",
      brokerName: slot.brokerName,
    },
    body: Buffer.isBuffer(message.body) ? message.body : Buffer.from(message.body, "utf8"),
  });
  if (r.code !== 0) throw new Error(`${slot.brokerName} (${slot.address}) refused the message: code ${r.code}${remarkOf(r)}`);
  return {
    msgId,
    offsetMsgId: r.extFields?.msgId ?? "",
    brokerName: slot.brokerName,
    queueId: Number(r.extFields?.queueId ?? slot.queueId),
    queueOffset: Number(r.extFields?.queueOffset ?? -1),
  };
}

/** The broker's key index, on every master of the topic; newest first. */
export async function queryMessagesByKey(
  client: RemotingClient,
  namesrvs: Namesrvs,
  topic: string,
  key: string,
  options: { maxNum?: number; beginTimestamp?: number; endTimestamp?: number; uniqueKey?: boolean } = {},
): Promise<DecodedMessage[]> {
  const found = await Promise.all(
    (await masters(client, namesrvs, topic)).map(async (m) => {
      const r = await client.request(m.address, RequestCode.QUERY_MESSAGE, {
        extFields: {
          topic,
          key,
          maxNum: String(options.maxNum ?? 64),
          beginTimestamp: String(options.beginTimestamp ?? 0),
          endTimestamp: String(options.endTimestamp ?? Date.now() + 60_000),
          ...(options.uniqueKey ? { _UNIQUE_KEY_QUERY: "true" } : {}),
        },
      });
      if (r.code === 22 /* QUERY_NOT_FOUND */) return [];
      if (r.code !== 0) throw new Error(`${m.brokerName} (${m.address}) refused the query: code ${r.code}${remarkOf(r)}`);
      return decodeMessages(r.body).map((msg) => ({ ...msg, brokerName: m.brokerName }));
    }),
  );
  const wanted = options.uniqueKey ? (m: DecodedMessage) => m.msgId === key : (m: DecodedMessage) => m.keys.includes(key);
  return found
    .flat()
    .filter((m) => m.topic === topic && wanted(m))
    .sort((a, b) => b.storeTimestamp - a.storeTimestamp);
}

/** One stored message by commit log offset, from the broker that stored it. */
export async function viewByOffset(client: RemotingClient, address: string, commitLogOffset: number): Promise<DecodedMessage | undefined> {
  const r = await client.request(address, RequestCode.VIEW_MESSAGE_BY_ID, { extFields: { offset: String(commitLogOffset) } });
  if (r.code !== 0) return undefined;
  return decodeMessages(r.body)[0];
}

/**
 * By the broker's offset id or the producer's id (UNIQ_KEY). Both are 32 hex digits: an id whose store host is one
 * of the topic's brokers is read by offset, anything else is looked up as a producer id.
 */
export async function viewMessageById(
  client: RemotingClient,
  namesrvs: Namesrvs,
  topic: string,
  id: string,
): Promise<DecodedMessage | undefined> {
  const byOffset = parseOffsetMsgId(id);
  const route = await routeOf(client, namesrvs, topic);
  const owner = byOffset && route.brokerDatas.find((b) => Object.values(b.brokerAddrs).includes(byOffset.address));
  if (byOffset && owner) {
    const m = await viewByOffset(client, byOffset.address, byOffset.commitLogOffset);
    if (m && m.topic === topic) return { ...m, brokerName: owner.brokerName };
  }
  return (await queryMessagesByKey(client, namesrvs, topic, id.toUpperCase(), { uniqueKey: true, maxNum: 32 }))[0];
}

/**
 * The messages at offsets [from, from + count) of one queue, read through the consume queue and the commit log
 * (which ignores read permission: dead-letter topics are write-only), in offset order. A consume-queue answer ends
 * at its file's end, so this asks again from there until `count` entries came or the queue has no more. `keep`
 * sees each message as it arrives (whole body) and returns what to hold, so a caller can cut bodies early; at
 * most four are read at a time.
 */
export async function readQueue<T = DecodedMessage>(
  client: RemotingClient,
  m: { brokerName: string; address: string },
  topic: string,
  queueId: number,
  from: number,
  count: number,
  keep: (message: DecodedMessage) => T = (message) => message as T,
): Promise<T[]> {
  const offsets: number[] = [];
  while (offsets.length < count) {
    const r = await client.request(m.address, RequestCode.QUERY_CONSUME_QUEUE, {
      extFields: {
        topic,
        queueId: String(queueId),
        index: String(from + offsets.length),
        count: String(count - offsets.length),
        consumerGroup: "TOOLS_CONSUMER",
      },
    });
    if (r.code !== 0)
      throw new Error(`${m.brokerName} (${m.address}) refused to read queue ${queueId} of ${topic}: code ${r.code}${remarkOf(r)}`);
    const entries = (parseFastjson(r.body.toString("utf8") || "{}") as { queueData?: { physicOffset: number }[] }).queueData ?? [];
    if (!entries.length) break;
    offsets.push(...entries.slice(0, count - offsets.length).map((e) => e.physicOffset));
  }
  const messages = await mapLimit(offsets, 4, async (offset) => {
    const message = await viewByOffset(client, m.address, offset);
    return message && keep({ ...message, brokerName: m.brokerName });
  });
  return messages.filter((kept): kept is T => kept !== undefined);
}

/**
 * The offset a queue's time index gives for `timestamp` (5.x: the first message stored at or after it; 4.x: the
 * nearest message).
 */
export async function offsetAtTime(
  client: RemotingClient,
  m: { brokerName: string; address: string },
  topic: string,
  queueId: number,
  timestamp: number,
): Promise<number> {
  const r = await client.request(m.address, RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, {
    extFields: { topic, queueId: String(queueId), timestamp: String(timestamp) },
  });
  if (r.code !== 0) throw new Error(`${m.brokerName} (${m.address}) could not find an offset by time: code ${r.code}${remarkOf(r)}`);
  return Number(r.extFields?.offset ?? 0);
}

/**
 * The newest messages of a topic, read through its consume queues and the commit log (which ignores read
 * permission: dead-letter topics are write-only). Bodies are cut to `previewBytes` as they arrive and only the
 * newest `max` are kept between queues, so a call holds at most 5 × max previews (the kept ones and the four
 * queues read at a time) besides the bodies being read.
 */
export async function recentMessages(
  client: RemotingClient,
  namesrvs: Namesrvs,
  topic: string,
  max: number,
  previewBytes = PREVIEW_BYTES,
): Promise<{ total: number; messages: DecodedMessage[] }> {
  let route: RoutedMaster[];
  try {
    route = await masters(client, namesrvs, topic);
  } catch {
    return { total: 0, messages: [] }; // no route: the topic has no messages anywhere
  }
  let total = 0;
  const queues = (
    await mapLimit(route, 4, async (m) => {
      const stats = await topicStats(client, m.address, topic);
      total += stats.reduce((sum, q) => sum + (q.maxOffset - q.minOffset), 0);
      return stats.map((q) => ({ m, q }));
    })
  ).flat();
  // Queues finish in any order: ties in store time go by broker, queue and offset.
  const newestFirst = (a: DecodedMessage, b: DecodedMessage) =>
    b.storeTimestamp - a.storeTimestamp ||
    (a.brokerName ?? "").localeCompare(b.brokerName ?? "") ||
    a.queueId - b.queueId ||
    a.queueOffset - b.queueOffset;
  let messages: DecodedMessage[] = [];
  await mapLimit(queues, 4, async ({ m, q }) => {
    const count = Math.min(max, q.maxOffset - q.minOffset);
    if (count <= 0) return;
    const read = await readQueue(client, m, topic, q.queueId, q.maxOffset - count, count, (message) => previewOf(message, previewBytes));
    messages = [...messages, ...read].sort(newestFirst).slice(0, max);
  });
  return { total, messages };
}

/** Property names RocketMQ manages itself; a resent message gets fresh ones. */
const SYSTEM_PROPERTIES = new Set([
  "UNIQ_KEY",
  "WAIT",
  "MIN_OFFSET",
  "MAX_OFFSET",
  "CONSUME_START_TIME",
  "REAL_TOPIC",
  "REAL_QID",
  "DELAY",
  "TRAN_MSG",
  "PGROUP",
  "CLUSTER",
  "MSG_REGION",
  "TRACE_ON",
]);

/**
 * Sends a copy of a topic's message to %RETRY%<group>: only that group (its push consumers) gets it again, with its
 * body, keys, tags and properties, and ORIGIN_MESSAGE_ID naming the original.
 */
export async function resendToGroup(
  client: RemotingClient,
  namesrvs: Namesrvs,
  topic: string,
  msgId: string,
  group: string,
): Promise<SendResult> {
  const m = await viewMessageById(client, namesrvs, topic, msgId);
  if (!m) throw Object.assign(new Error(`no message ${msgId} in ${topic}`), { statusCode: 404 });
  if (m.compressed)
    throw Object.assign(new Error(`${msgId} cannot be resent: its body is ${m.bodyNote ?? `${m.compressed}-compressed`}`), {
      statusCode: 422,
    });
  const properties = Object.fromEntries(
    Object.entries(m.properties).filter(([k]) => !SYSTEM_PROPERTIES.has(k) && k !== "KEYS" && k !== "TAGS"),
  );
  properties.ORIGIN_MESSAGE_ID ??= m.msgId;
  return sendMessage(client, namesrvs, { topic: `%RETRY%${group}`, body: m.body, keys: m.keys, tags: m.tags, properties });
}

/** A dead letter of `group` (%DLQ%<group>) sent again to that group alone. */
export function resendDlqMessage(client: RemotingClient, namesrvs: Namesrvs, group: string, msgId: string): Promise<SendResult> {
  return resendToGroup(client, namesrvs, `%DLQ%${group}`, msgId, group);
}

export interface ConsumerConnection {
  connections: { clientId: string; clientAddr: string; language: string; version: number }[];
  consumeType: string | null;
  messageModel: string | null;
  /** What the group's clients subscribe to, per topic (push consumers include their %RETRY% topic). */
  subscriptions: { topic: string; expression: string; expressionType: string }[];
}

/** Who consumes as `group`, as the broker sees it; nobody online (CONSUMER_NOT_ONLINE) is an empty list, not an error. */
export async function consumerConnections(client: RemotingClient, broker: string, group: string): Promise<ConsumerConnection> {
  const r = await client.request(broker, RequestCode.GET_CONSUMER_CONNECTION_LIST, { extFields: { consumerGroup: group } });
  if (r.code === 206 /* CONSUMER_NOT_ONLINE */) return { connections: [], consumeType: null, messageModel: null, subscriptions: [] };
  if (r.code !== 0) throw new Error(`${broker} refused the connections of ${group}: code ${r.code}${remarkOf(r)}`);
  const body = parseFastjson(r.body.toString("utf8")) as {
    connectionSet?: ConsumerConnection["connections"];
    consumeType?: string;
    messageModel?: string;
    subscriptionTable?: Record<string, { topic?: string; subString?: string; expressionType?: string }>;
  };
  const subscriptions = Object.entries(body.subscriptionTable ?? {})
    .map(([topic, s]) => ({ topic: s.topic ?? topic, expression: s.subString ?? "*", expressionType: s.expressionType ?? "TAG" }))
    .sort((a, b) => a.topic.localeCompare(b.topic));
  return {
    connections: [...(body.connectionSet ?? [])].sort((a, b) => a.clientId.localeCompare(b.clientId)),
    consumeType: body.consumeType ?? null,
    messageModel: body.messageModel ?? null,
    subscriptions,
  };
}

export type ClientConnection = ConsumerConnection["connections"][number];

/** The producers connected to one broker as `producerGroup` (brokers know producers by group, not by topic). */
export async function producerConnections(client: RemotingClient, broker: string, producerGroup: string): Promise<ClientConnection[]> {
  const r = await client.request(broker, RequestCode.GET_PRODUCER_CONNECTION_LIST, { extFields: { producerGroup } });
  if (r.code !== 0) return [];
  const body = parseFastjson(r.body.toString("utf8")) as { connectionSet?: ClientConnection[] };
  return [...(body.connectionSet ?? [])].sort((a, b) => a.clientId.localeCompare(b.clientId));
}

export interface OffsetReset {
  brokerName: string;
  queueId: number;
  offset: number;
}

/**
 * Moves `group`'s offsets on `topic` to the first message stored at or after `timestamp`, on every master.
 * With consumers online the broker tells them (INVOKE_BROKER_TO_RESET_OFFSET); without, the offsets are
 * written directly, queue by queue.
 */
export async function resetConsumerOffset(
  client: RemotingClient,
  namesrvs: Namesrvs,
  topic: string,
  group: string,
  timestamp: number,
): Promise<OffsetReset[]> {
  const result = await Promise.all(
    (await masters(client, namesrvs, topic)).map(async (m) => {
      const r = await client.request(m.address, RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
        extFields: { topic, group, timestamp: String(timestamp), isForce: "true" },
      });
      if (r.code === 0 && r.body.length) {
        const table = (parseFastjson(r.body.toString("utf8")) as { offsetTable?: Record<string, number> }).offsetTable ?? {};
        const rows = Object.entries(table).map(([key, offset]) => ({
          brokerName: (JSON.parse(key) as { brokerName: string }).brokerName,
          queueId: (JSON.parse(key) as { queueId: number }).queueId,
          offset,
        }));
        if (rows.length) return rows;
      }
      // m.readQueues is at most MAX_QUEUES: topicRoute refuses larger counts.
      return Promise.all(
        Array.from({ length: m.readQueues }, async (_, queueId) => {
          const offset = await offsetAtTime(client, m, topic, queueId, timestamp);
          const updated = await client.request(m.address, RequestCode.UPDATE_CONSUMER_OFFSET, {
            extFields: { consumerGroup: group, topic, queueId: String(queueId), commitOffset: String(offset) },
          });
          if (updated.code !== 0)
            throw new Error(`${m.brokerName} (${m.address}) refused the new offset: code ${updated.code}${remarkOf(updated)}`);
          return { brokerName: m.brokerName, queueId, offset };
        }),
      );
    }),
  );
  return result.flat().sort((a, b) => a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId);
}
