// Messages over the remoting protocol, for the console: send a test message, decode what brokers store, find
// messages by key or id, list a topic's newest messages (dead letters) and send a dead letter back to its group;
// consumer connections and offset resets. Written from RocketMQ's wire formats (MessageDecoder, the request headers).
import { randomBytes } from "node:crypto";
import * as zlib from "node:zlib";
import { parseFastjson } from "./fastjson.ts";
import { topicStats } from "./admin.ts";
import type { RemotingClient, RemotingResponse } from "./connection.ts";

export const MessageCode = {
  SEND_MESSAGE: 10,
  QUERY_MESSAGE: 12,
  UPDATE_CONSUMER_OFFSET: 15,
  SEARCH_OFFSET_BY_TIMESTAMP: 29,
  VIEW_MESSAGE_BY_ID: 33,
  GET_ROUTEINFO_BY_TOPIC: 105,
  GET_CONSUMER_CONNECTION_LIST: 203,
  GET_PRODUCER_CONNECTION_LIST: 204,
  INVOKE_BROKER_TO_RESET_OFFSET: 222,
  QUERY_CONSUME_QUEUE: 321,
} as const;

const NAME_VALUE = "\u0001";
const PROPERTY = "\u0002";
/** sysFlag bits (MessageSysFlag). */
const COMPRESSED = 0x1;
/** Bits 8–10 name the compression of a compressed body (5.x); 0, as 4.x writes, means zlib. */
const COMPRESSION_TYPE = 0x700;
const COMPRESSION_NAMES: Record<number, Compression> = { 0: "zlib", 1: "lz4", 2: "zstd", 3: "zlib" };
const BORNHOST_V6 = 0x10;
const STOREHOST_V6 = 0x20;
/** MessageDecoder's magic codes: v2 writes the topic length in two bytes instead of one. */
const MAGIC_V2 = -626843477;

export interface DecodedMessage {
  topic: string;
  brokerName?: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  storeTimestamp: number;
  bornHost: string;
  storeHost: string;
  /** The broker's id: store host and commit log offset (what VIEW_MESSAGE_BY_ID takes). */
  offsetMsgId: string;
  /** The producer's id (UNIQ_KEY), else offsetMsgId. */
  msgId: string;
  keys: string[];
  tags?: string;
  reconsumeTimes: number;
  properties: Record<string, string>;
  body: Buffer;
  /**
   * Set when the body is still compressed: a codec Node lacks (LZ4), a body that did not decompress, or one that
   * would inflate past the limit (MAX_INFLATED_BODY_BYTES); `body` is then the stored bytes.
   */
  compressed?: Compression;
  /** Why a compressed body was left so, with its size: "compressed (zlib), 1048576 bytes; over the 4 MiB display limit". */
  bodyNote?: string;
}

export type Compression = "zlib" | "lz4" | "zstd";

/**
 * How far a stored body is inflated, by default. A body that would inflate further stays compressed: inflating a
 * 1 MiB bomb to 1 GiB would block the event loop for seconds and take GiBs of memory.
 */
export const MAX_INFLATED_BODY_BYTES = 4 * 1024 * 1024;

/** How much all the bodies of one answer may inflate to together: a frame holds many small bombs. */
export const MAX_INFLATED_ANSWER_BYTES = 16 * 1024 * 1024;

export interface DecodeMessageOptions {
  /** Default MAX_INFLATED_BODY_BYTES. */
  maxInflatedBytes?: number;
  /** Default MAX_INFLATED_ANSWER_BYTES. */
  maxInflatedAnswerBytes?: number;
}

type Inflate = (b: Buffer, options: { maxOutputLength: number }) => Buffer;
/** Zstandard in node:zlib since Node 22.15 (maxOutputLength included); typed loosely so older typings still compile. */
const zstdDecompressSync = (zlib as unknown as { zstdDecompressSync?: Inflate }).zstdDecompressSync;
const INFLATE: Partial<Record<Compression, Inflate>> = { zlib: zlib.inflateSync, ...(zstdDecompressSync ? { zstd: zstdDecompressSync } : {}) };

const mib = (bytes: number): string => (bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`);

/**
 * A stored body as the producer sent it, or, with the codec named and a note saying why, as stored: Node cannot
 * decompress it (LZ4; nothing is inflated then), it is corrupt, or it inflates past `maxInflatedBytes` (the
 * inflater stops there, so a bomb costs no more than the limit).
 */
function decompress(body: Buffer, sysFlag: number, maxInflatedBytes: number, overLimit = `over the ${mib(maxInflatedBytes)} display limit`): { body: Buffer; compressed?: Compression; bodyNote?: string } {
  if (!(sysFlag & COMPRESSED)) return { body };
  const codec = COMPRESSION_NAMES[(sysFlag & COMPRESSION_TYPE) >> 8] ?? "zlib";
  const kept = (why: string) => ({ body, compressed: codec, bodyNote: `compressed (${codec}), ${body.length} bytes; ${why}` });
  const inflate = INFLATE[codec];
  if (!inflate) return kept(codec === "lz4" ? "the console has no LZ4 decoder" : `this Node has no ${codec} decoder`);
  try {
    return { body: inflate(body, { maxOutputLength: maxInflatedBytes }) };
  } catch (e) {
    // A body that does not inflate must not hide the rest of the answer: it is shown as stored.
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return kept(overLimit);
    return kept(`does not decompress (${(e as Error).message})`);
  }
}

export function encodeProperties(properties: Record<string, string>): string {
  return Object.entries(properties)
    .map(([k, v]) => `${k}${NAME_VALUE}${v}${PROPERTY}`)
    .join("");
}

export function decodeProperties(text: string): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const pair of text.split(PROPERTY)) {
    const i = pair.indexOf(NAME_VALUE);
    if (i > 0) properties[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return properties;
}

/**
 * The broker's message id: store IP (4 bytes, or 16 for an IPv6 store host), 4-byte port, 8-byte commit log
 * offset, in hex: 32 digits, or 56 with IPv6.
 */
export function offsetMsgId(storeHost: string, commitLogOffset: number): string {
  const i = storeHost.lastIndexOf(":");
  const ip = ipBytes(storeHost.slice(0, i).replace(/^\[|\]$/g, ""));
  const b = Buffer.alloc(ip.length + 12);
  b.set(ip);
  b.writeInt32BE(Number(storeHost.slice(i + 1)), ip.length);
  b.writeBigInt64BE(BigInt(commitLogOffset), ip.length + 4);
  return b.toString("hex").toUpperCase();
}

/** Dotted IPv4, or IPv6 (full or with `::`), as bytes. */
function ipBytes(ip: string): Buffer {
  if (!ip.includes(":")) return Buffer.from(ip.split(".").map(Number));
  const [head = "", tail] = ip.split("::");
  const groups = (s: string) => (s ? s.split(":") : []);
  const all = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(8 - groups(head).length - groups(tail).length).fill("0"), ...groups(tail)];
  const b = Buffer.alloc(16);
  all.slice(0, 8).forEach((g, k) => b.writeUInt16BE(parseInt(g, 16) || 0, k * 2));
  return b;
}

export function parseOffsetMsgId(id: string): { address: string; commitLogOffset: number } | undefined {
  if (!/^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{56})$/.test(id)) return undefined;
  const b = Buffer.from(id, "hex");
  const ipLength = b.length - 12;
  // The same forms as the stored-message decoder writes hosts in.
  const ip = ipLength === 4 ? [...b.subarray(0, 4)].join(".") : b.subarray(0, 16).toString("hex").match(/.{4}/g)!.join(":");
  return { address: `${ip}:${b.readInt32BE(ipLength)}`, commitLogOffset: Number(b.readBigInt64BE(ipLength + 4)) };
}

/** A stored-message record that is not what it claims: cut short, or with a length past its end. */
export class MessageDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MessageDecodeError";
  }
}

/** Decodes the stored-message records a broker answers with (QUERY_MESSAGE, VIEW_MESSAGE_BY_ID, PULL_MESSAGE). */
export function decodeMessages(buffer: Buffer, options: DecodeMessageOptions = {}): DecodedMessage[] {
  const maxInflatedBytes = options.maxInflatedBytes ?? MAX_INFLATED_BODY_BYTES;
  let budget = options.maxInflatedAnswerBytes ?? MAX_INFLATED_ANSWER_BYTES;
  const messages: DecodedMessage[] = [];
  let at = 0;
  while (at + 4 <= buffer.length) {
    const total = buffer.readInt32BE(at);
    if (total <= 0 || at + total > buffer.length) throw new MessageDecodeError(`stored message at byte ${at} claims ${total} bytes; ${buffer.length - at} left`);
    const limit = budget < maxInflatedBytes ? { bytes: Math.max(1, budget), over: `over what is left of the answer's ${mib(options.maxInflatedAnswerBytes ?? MAX_INFLATED_ANSWER_BYTES)} display budget` } : { bytes: maxInflatedBytes };
    const m = decodeOne(buffer.subarray(at, at + total), limit);
    if (m.sysFlag & COMPRESSED && !m.compressed) budget -= m.body.length;
    messages.push(m);
    at += total;
  }
  return messages;
}

function decodeOne(b: Buffer, limit: { bytes: number; over?: string }): DecodedMessage {
  let p = 4;
  // Every field is checked against what is left of the record before it is read: lengths come from the peer.
  const need = (n: number, what: string) => {
    if (n < 0 || p + n > b.length) throw new MessageDecodeError(`stored message cut short: ${what} needs ${n} bytes at byte ${p} of ${b.length}`);
  };
  const int = () => (need(4, "a 4-byte field"), (p += 4), b.readInt32BE(p - 4));
  const long = () => (need(8, "an 8-byte field"), (p += 8), Number(b.readBigInt64BE(p - 8)));
  const host = (v6: boolean) => {
    need(v6 ? 16 : 4, "a host address");
    const ip = v6 ? b.subarray(p, p + 16).toString("hex").match(/.{4}/g)!.join(":") : [...b.subarray(p, p + 4)].join(".");
    p += v6 ? 16 : 4;
    return `${ip}:${int()}`;
  };
  const magic = int();
  int(); // body CRC
  const queueId = int();
  int(); // flag
  const queueOffset = long();
  const commitLogOffset = long();
  const sysFlag = int();
  const bornTimestamp = long();
  const bornHost = host((sysFlag & BORNHOST_V6) !== 0);
  const storeTimestamp = long();
  const storeHost = host((sysFlag & STOREHOST_V6) !== 0);
  const reconsumeTimes = int();
  long(); // prepared transaction offset
  const bodyLength = int();
  need(bodyLength, "the body");
  const { body, compressed, bodyNote } = decompress(Buffer.from(b.subarray(p, p + bodyLength)), sysFlag, limit.bytes, limit.over);
  p += bodyLength;
  need(magic === MAGIC_V2 ? 2 : 1, "the topic's length");
  const topicLength = magic === MAGIC_V2 ? ((p += 2), b.readUInt16BE(p - 2)) : ((p += 1), b.readUInt8(p - 1));
  need(topicLength, "the topic");
  const topic = b.toString("utf8", p, p + topicLength);
  p += topicLength;
  need(2, "the properties' length");
  const propertiesLength = b.readUInt16BE(p);
  p += 2;
  need(propertiesLength, "the properties");
  const properties = decodeProperties(b.toString("utf8", p, p + propertiesLength));
  const offsetId = offsetMsgId(storeHost, commitLogOffset);
  return {
    topic,
    queueId,
    queueOffset,
    commitLogOffset,
    sysFlag,
    bornTimestamp,
    storeTimestamp,
    bornHost,
    storeHost,
    offsetMsgId: offsetId,
    msgId: properties.UNIQ_KEY ?? offsetId,
    keys: (properties.KEYS ?? "").split(" ").filter(Boolean),
    ...(properties.TAGS ? { tags: properties.TAGS } : {}),
    reconsumeTimes,
    properties,
    body,
    ...(compressed ? { compressed, bodyNote } : {}),
  };
}

export interface TopicRoute {
  queueDatas: { brokerName: string; readQueueNums: number; writeQueueNums: number; perm: number }[];
  brokerDatas: { brokerName: string; cluster?: string; brokerAddrs: Record<string, string> }[];
}

export async function topicRoute(client: RemotingClient, namesrv: string, topic: string): Promise<TopicRoute> {
  const r = await client.request(namesrv, MessageCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic } });
  if (r.code !== 0) throw new Error(`${namesrv} has no route for topic ${topic}: code ${r.code}${remark(r)}`);
  const route = parseFastjson(r.body.toString("utf8")) as Partial<TopicRoute>;
  return { queueDatas: route.queueDatas ?? [], brokerDatas: route.brokerDatas ?? [] };
}

/** The topic's masters, with their broker names and queue counts. */
async function masters(client: RemotingClient, namesrv: string, topic: string) {
  const route = await topicRoute(client, namesrv, topic);
  return route.queueDatas.flatMap((q) => {
    const address = route.brokerDatas.find((b) => b.brokerName === q.brokerName)?.brokerAddrs["0"];
    return address ? [{ brokerName: q.brokerName, address, readQueues: q.readQueueNums, writeQueues: q.writeQueueNums, perm: q.perm }] : [];
  });
}

const remark = (r: RemotingResponse) => (r.remark ? ` (${r.remark.split("\n")[0]})` : "");

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
export async function sendMessage(client: RemotingClient, namesrv: string, message: OutgoingMessage): Promise<SendResult> {
  // Tags, keys and properties travel in one string where \u0001 and \u0002 separate names and values.
  for (const text of [message.tags ?? "", ...(message.keys ?? []), ...Object.entries(message.properties ?? {}).flat()]) {
    if (/[\u0001\u0002]/.test(text)) throw Object.assign(new Error("tags, keys and properties cannot contain the characters \\u0001 or \\u0002"), { statusCode: 400 });
  }
  const writable = (await masters(client, namesrv, message.topic)).filter((m) => m.writeQueues > 0 && (m.perm & 2) !== 0);
  if (!writable.length) throw new Error(`topic ${message.topic} has no writable queue on any master`);
  const slots = writable.flatMap((m) => Array.from({ length: m.writeQueues }, (_, queueId) => ({ ...m, queueId })));
  const slot = slots[nextQueue++ % slots.length]!;
  const msgId = randomBytes(16).toString("hex").toUpperCase();
  const properties: Record<string, string> = {
    ...message.properties,
    ...(message.keys?.length ? { KEYS: message.keys.join(" ") } : {}),
    ...(message.tags ? { TAGS: message.tags } : {}),
    UNIQ_KEY: msgId,
    WAIT: "true",
  };
  const r = await client.request(slot.address, MessageCode.SEND_MESSAGE, {
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
  if (r.code !== 0) throw new Error(`${slot.brokerName} (${slot.address}) refused the message: code ${r.code}${remark(r)}`);
  return { msgId, offsetMsgId: r.extFields?.msgId ?? "", brokerName: slot.brokerName, queueId: Number(r.extFields?.queueId ?? slot.queueId), queueOffset: Number(r.extFields?.queueOffset ?? -1) };
}

/** The broker's key index, on every master of the topic; newest first. */
export async function queryMessagesByKey(
  client: RemotingClient,
  namesrv: string,
  topic: string,
  key: string,
  options: { maxNum?: number; beginTimestamp?: number; endTimestamp?: number; uniqueKey?: boolean } = {},
): Promise<DecodedMessage[]> {
  const found = await Promise.all(
    (await masters(client, namesrv, topic)).map(async (m) => {
      const r = await client.request(m.address, MessageCode.QUERY_MESSAGE, {
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
      if (r.code !== 0) throw new Error(`${m.brokerName} (${m.address}) refused the query: code ${r.code}${remark(r)}`);
      return decodeMessages(r.body).map((msg) => ({ ...msg, brokerName: m.brokerName }));
    }),
  );
  const wanted = options.uniqueKey ? (m: DecodedMessage) => m.msgId === key : (m: DecodedMessage) => m.keys.includes(key);
  return found.flat().filter((m) => m.topic === topic && wanted(m)).sort((a, b) => b.storeTimestamp - a.storeTimestamp);
}

/** One stored message by commit log offset, from the broker that stored it. */
export async function viewByOffset(client: RemotingClient, address: string, commitLogOffset: number): Promise<DecodedMessage | undefined> {
  const r = await client.request(address, MessageCode.VIEW_MESSAGE_BY_ID, { extFields: { offset: String(commitLogOffset) } });
  if (r.code !== 0) return undefined;
  return decodeMessages(r.body)[0];
}

/**
 * By the broker's offset id or the producer's id (UNIQ_KEY). Both are 32 hex digits: an id whose store host is one
 * of the topic's brokers is read by offset, anything else is looked up as a producer id.
 */
export async function viewMessageById(client: RemotingClient, namesrv: string, topic: string, id: string): Promise<DecodedMessage | undefined> {
  const byOffset = parseOffsetMsgId(id);
  const route = await topicRoute(client, namesrv, topic);
  const owner = byOffset && route.brokerDatas.find((b) => Object.values(b.brokerAddrs).includes(byOffset.address));
  if (byOffset && owner) {
    const m = await viewByOffset(client, byOffset.address, byOffset.commitLogOffset);
    if (m && m.topic === topic) return { ...m, brokerName: owner.brokerName };
  }
  return (await queryMessagesByKey(client, namesrv, topic, id.toUpperCase(), { uniqueKey: true, maxNum: 32 }))[0];
}

/**
 * The newest messages of a topic, read through its consume queues and the commit log (which ignores read
 * permission: dead-letter topics are write-only).
 */
export async function recentMessages(client: RemotingClient, namesrv: string, topic: string, max: number): Promise<{ total: number; messages: DecodedMessage[] }> {
  let route: Awaited<ReturnType<typeof masters>>;
  try {
    route = await masters(client, namesrv, topic);
  } catch {
    return { total: 0, messages: [] }; // no route: the topic has no messages anywhere
  }
  let total = 0;
  const perQueue = await Promise.all(
    route.map(async (m) => {
      const queues = await topicStats(client, m.address, topic);
      total += queues.reduce((sum, q) => sum + (q.maxOffset - q.minOffset), 0);
      return Promise.all(
        queues.map(async (q) => {
          const count = Math.min(max, q.maxOffset - q.minOffset);
          if (count <= 0) return [];
          const r = await client.request(m.address, MessageCode.QUERY_CONSUME_QUEUE, {
            extFields: { topic, queueId: String(q.queueId), index: String(q.maxOffset - count), count: String(count), consumerGroup: "TOOLS_CONSUMER" },
          });
          if (r.code !== 0) throw new Error(`${m.brokerName} (${m.address}) refused to read queue ${q.queueId} of ${topic}: code ${r.code}${remark(r)}`);
          const entries = (parseFastjson(r.body.toString("utf8") || "{}") as { queueData?: { physicOffset: number }[] }).queueData ?? [];
          const messages = await Promise.all(entries.map((e) => viewByOffset(client, m.address, e.physicOffset)));
          return messages.filter((msg): msg is DecodedMessage => !!msg).map((msg) => ({ ...msg, brokerName: m.brokerName }));
        }),
      );
    }),
  );
  const messages = perQueue.flat(2).sort((a, b) => b.storeTimestamp - a.storeTimestamp).slice(0, max);
  return { total, messages };
}

/** Property names RocketMQ manages itself; a resent message gets fresh ones. */
const SYSTEM_PROPERTIES = new Set(["UNIQ_KEY", "WAIT", "MIN_OFFSET", "MAX_OFFSET", "CONSUME_START_TIME", "REAL_TOPIC", "REAL_QID", "DELAY", "TRAN_MSG", "PGROUP", "CLUSTER", "MSG_REGION", "TRACE_ON"]);

/** Sends a dead letter to %RETRY%<group>: only that group gets it again, with its body, keys, tags and properties. */
export async function resendDlqMessage(client: RemotingClient, namesrv: string, group: string, msgId: string): Promise<SendResult> {
  const dlq = `%DLQ%${group}`;
  const m = await viewMessageById(client, namesrv, dlq, msgId);
  if (!m) throw Object.assign(new Error(`no message ${msgId} in ${dlq}`), { statusCode: 404 });
  if (m.compressed) throw Object.assign(new Error(`${msgId} cannot be resent: its body is ${m.bodyNote ?? `${m.compressed}-compressed`}`), { statusCode: 422 });
  const properties = Object.fromEntries(Object.entries(m.properties).filter(([k]) => !SYSTEM_PROPERTIES.has(k) && k !== "KEYS" && k !== "TAGS"));
  properties.ORIGIN_MESSAGE_ID ??= m.msgId;
  return sendMessage(client, namesrv, { topic: `%RETRY%${group}`, body: m.body, keys: m.keys, tags: m.tags, properties });
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
  const r = await client.request(broker, MessageCode.GET_CONSUMER_CONNECTION_LIST, { extFields: { consumerGroup: group } });
  if (r.code === 206 /* CONSUMER_NOT_ONLINE */) return { connections: [], consumeType: null, messageModel: null, subscriptions: [] };
  if (r.code !== 0) throw new Error(`${broker} refused the connections of ${group}: code ${r.code}${remark(r)}`);
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
  const r = await client.request(broker, MessageCode.GET_PRODUCER_CONNECTION_LIST, { extFields: { producerGroup } });
  if (r.code !== 0) return [];
  const body = parseFastjson(r.body.toString("utf8")) as { connectionSet?: ClientConnection[] };
  return [...(body.connectionSet ?? [])].sort((a, b) => a.clientId.localeCompare(b.clientId));
}

/**
 * Moves `group`'s offsets on `topic` to the first message stored at or after `timestamp`, on every master.
 * With consumers online the broker tells them (INVOKE_BROKER_TO_RESET_OFFSET); without, the offsets are
 * written directly, queue by queue.
 */
export async function resetConsumerOffset(client: RemotingClient, namesrv: string, topic: string, group: string, timestamp: number): Promise<{ brokerName: string; queueId: number; offset: number }[]> {
  const result = await Promise.all(
    (await masters(client, namesrv, topic)).map(async (m) => {
      const r = await client.request(m.address, MessageCode.INVOKE_BROKER_TO_RESET_OFFSET, { extFields: { topic, group, timestamp: String(timestamp), isForce: "true" } });
      if (r.code === 0 && r.body.length) {
        const table = (parseFastjson(r.body.toString("utf8")) as { offsetTable?: Record<string, number> }).offsetTable ?? {};
        const rows = Object.entries(table).map(([key, offset]) => ({ brokerName: (JSON.parse(key) as { brokerName: string }).brokerName, queueId: (JSON.parse(key) as { queueId: number }).queueId, offset }));
        if (rows.length) return rows;
      }
      return Promise.all(
        Array.from({ length: m.readQueues }, async (_, queueId) => {
          const found = await client.request(m.address, MessageCode.SEARCH_OFFSET_BY_TIMESTAMP, { extFields: { topic, queueId: String(queueId), timestamp: String(timestamp) } });
          if (found.code !== 0) throw new Error(`${m.brokerName} (${m.address}) could not find an offset by time: code ${found.code}${remark(found)}`);
          const offset = Number(found.extFields?.offset ?? 0);
          const updated = await client.request(m.address, MessageCode.UPDATE_CONSUMER_OFFSET, { extFields: { consumerGroup: group, topic, queueId: String(queueId), commitOffset: String(offset) } });
          if (updated.code !== 0) throw new Error(`${m.brokerName} (${m.address}) refused the new offset: code ${updated.code}${remark(updated)}`);
          return { brokerName: m.brokerName, queueId, offset };
        }),
      );
    }),
  );
  return result.flat().sort((a, b) => a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId);
}
