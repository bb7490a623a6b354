// Read-only admin requests a console needs, typed: what the name servers and brokers report about topics,
// consumer groups, runtime and replication. Bodies are fastjson (see fastjson.ts); only the fields used are typed.
import { renderProperty } from "../configurator/properties.ts";
import { parseFastjson } from "./fastjson.ts";
import { RequestCode } from "./codes.ts";
import type { RemotingClient, RemotingResponse } from "./connection.ts";

export class AdminRequestError extends Error {
  readonly code: number;
  constructor(address: string, what: string, response: RemotingResponse) {
    super(`${address} refused ${what}: code ${response.code}${response.remark ? ` (${response.remark.split("\n")[0]})` : ""}`);
    this.name = "AdminRequestError";
    this.code = response.code;
  }
}

async function ask(
  client: RemotingClient,
  address: string,
  code: number,
  what: string,
  extFields?: Record<string, string>,
  body?: Buffer,
): Promise<RemotingResponse> {
  const r = await client.request(address, code, { extFields, body });
  if (r.code !== 0) throw new AdminRequestError(address, what, r);
  return r;
}

const json = <T>(r: RemotingResponse): T => parseFastjson(r.body.toString("utf8") || "{}") as T;

/** Every topic the name server knows, system topics included. */
export async function topicList(client: RemotingClient, namesrv: string): Promise<string[]> {
  const r = await ask(client, namesrv, RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, "the topic list");
  return [...(json<{ topicList?: string[] }>(r).topicList ?? [])].sort();
}

/** A broker's runtime figures (versions, TPS, disk use, offsets), as the strings RocketMQ reports. */
export async function brokerRuntimeInfo(client: RemotingClient, broker: string): Promise<Record<string, string>> {
  const r = await ask(client, broker, RequestCode.GET_BROKER_RUNTIME_INFO, "its runtime info");
  return json<{ table?: Record<string, string> }>(r).table ?? {};
}

/** A topic every broker has: RocketMQ's TopicConfigManager creates it at start (4.x and 5.x). */
export const SELF_TEST_TOPIC = "SELF_TEST_TOPIC";

/** The next offset of one of a broker's queues (0 for a queue that holds nothing). */
export async function maxOffset(client: RemotingClient, broker: string, topic: string, queueId: number): Promise<number> {
  const r = await ask(client, broker, RequestCode.GET_MAX_OFFSET, `the max offset of ${topic}`, { topic, queueId: String(queueId) });
  return Number(r.extFields?.offset ?? 0);
}

/** The broker's effective configuration (every key, defaults included). */
export async function brokerConfig(client: RemotingClient, broker: string): Promise<Record<string, string>> {
  const r = await ask(client, broker, RequestCode.GET_BROKER_CONFIG, "its config");
  const config: Record<string, string> = {};
  for (const line of r.body.toString("utf8").split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) config[line.slice(0, i)] = line.slice(i + 1);
  }
  return config;
}

/**
 * Sets broker config keys in the running broker, which then writes all its settings to its `brokerConfigPath` (over
 * the file it was started with, when that key is unset). Setting `brokerPermission`, even to its current value, also
 * makes the broker register with its name servers at once (AdminBrokerProcessor).
 */
export async function updateBrokerConfig(client: RemotingClient, broker: string, values: Record<string, string>): Promise<void> {
  const body = Buffer.from(
    Object.entries(values)
      .map(([k, v]) => `${renderProperty(k, v)}\n`)
      .join(""),
    "utf8",
  );
  await ask(client, broker, RequestCode.UPDATE_BROKER_CONFIG, `updating its config (${Object.keys(values).join(", ")})`, undefined, body);
}

/** A broker's SubscriptionGroupConfig, the fields this project reads and writes (RocketMQ's names). */
export interface SubscriptionGroup {
  groupName: string;
  /**
   * How often a failed message is retried before it goes to %DLQ%<group>. Remoting clients that send their own
   * maxReconsumeTimes with each send-back (the Java client, ali-ons) override it; proxy (gRPC) consumers use it.
   */
  retryMaxTimes?: number;
  consumeEnable?: boolean;
  consumeBroadcastEnable?: boolean;
  consumeMessageOrderly?: boolean;
  /** Queues of %RETRY%<group>; 0 drops failed messages instead of retrying them. */
  retryQueueNums?: number;
}

/** Groups asked for a page at a time, as RocketMQ's own admin client does (its maxPageSizeInGetMetadata). */
const GROUP_PAGE = 2000;
/** Pages read at most: a broker that keeps answering cannot keep the caller looping. */
const MAX_GROUP_PAGES = 500;
/** Groups kept at most from one broker: what a broker lists is held whole, then sorted. */
export const MAX_GROUPS = 100_000;

/**
 * The consumer groups a broker has configured. A 5.x broker reads a page's start (groupSeq) and size; it logs an
 * error for a request without them (and answers with the whole table). It says how many groups it has in
 * `totalGroupNum`; a 4.x broker ignores the fields and says nothing: its one answer is the whole table.
 */
export async function subscriptionGroups(client: RemotingClient, broker: string): Promise<SubscriptionGroup[]> {
  const groups = new Map<string, SubscriptionGroup>();
  let seq = 0;
  for (let page = 0; page < MAX_GROUP_PAGES; page++) {
    const r = await ask(client, broker, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, "its consumer groups", {
      groupSeq: String(seq),
      maxGroupNum: String(GROUP_PAGE),
      dataVersion: "",
    });
    const table = Object.values(json<{ subscriptionGroupTable?: Record<string, SubscriptionGroup> }>(r).subscriptionGroupTable ?? {});
    const total = Number(r.extFields?.["totalGroupNum"]);
    // A paging broker (one that says its total) answers at most the page asked for; 4.x's whole table is one answer.
    if (Number.isInteger(total) && table.length > GROUP_PAGE)
      throw new Error(`${broker} answered ${table.length} consumer groups to a request for at most ${GROUP_PAGE}`);
    for (const g of table) if (typeof g?.groupName === "string") groups.set(g.groupName, g);
    if (groups.size > MAX_GROUPS) throw new Error(`${broker} lists more than ${MAX_GROUPS} consumer groups, the most read from one broker`);
    seq += table.length;
    if (!Number.isInteger(total) || seq >= total || table.length === 0) break;
  }
  return [...groups.values()].sort((a, b) => a.groupName.localeCompare(b.groupName));
}

/** One consumer group's config on a broker; undefined when the broker does not have it. */
export async function subscriptionGroup(client: RemotingClient, broker: string, groupName: string): Promise<SubscriptionGroup | undefined> {
  return (await subscriptionGroups(client, broker)).find((g) => g.groupName === groupName);
}

export interface QueueProgress {
  topic: string;
  brokerName: string;
  queueId: number;
  brokerOffset: number;
  consumerOffset: number;
  /** Messages not yet consumed: brokerOffset − consumerOffset. */
  lag: number;
  lastTimestamp: number;
}

/** A consumer group's progress on one broker, per queue (optionally for one topic). */
export async function consumeStats(
  client: RemotingClient,
  broker: string,
  group: string,
  topic?: string,
): Promise<{ queues: QueueProgress[]; consumeTps: number }> {
  const r = await ask(client, broker, RequestCode.GET_CONSUME_STATS, `the consume stats of ${group}`, {
    consumerGroup: group,
    ...(topic ? { topic } : {}),
  });
  const body = json<{
    offsetTable?: Record<string, { brokerOffset: number; consumerOffset: number; lastTimestamp: number }>;
    consumeTps?: number;
  }>(r);
  const queues = Object.entries(body.offsetTable ?? {}).map(([key, w]) => {
    // fastjson writes the MessageQueue map key as an object; parseFastjson hands it back as its JSON text.
    const mq = JSON.parse(key) as { topic: string; brokerName: string; queueId: number };
    return {
      topic: mq.topic,
      brokerName: mq.brokerName,
      queueId: mq.queueId,
      brokerOffset: w.brokerOffset,
      consumerOffset: w.consumerOffset,
      lag: Math.max(0, w.brokerOffset - w.consumerOffset),
      lastTimestamp: w.lastTimestamp,
    };
  });
  queues.sort((a, b) => a.topic.localeCompare(b.topic) || a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId);
  return { queues, consumeTps: body.consumeTps ?? 0 };
}

export interface HaStatus {
  master: boolean;
  masterCommitLogMaxOffset?: number;
  inSyncSlaveNums?: number;
  /** On a master: one entry per connected slave; `diff` is the slave's lag in bytes. */
  haConnectionInfo?: { addr: string; slaveAckOffset: number; diff: number; inSync: boolean; transferredByteInSecond: number }[];
  /** On a slave: its connection to the master. */
  haClientRuntimeInfo?: { masterAddr?: string; maxOffset?: number; lastReadTimestamp?: number; isActivatedMaster?: boolean };
}

/** Replication state of a 5.x broker (master: its slaves and their lag; slave: its master). */
export async function haStatus(client: RemotingClient, broker: string): Promise<HaStatus> {
  return json<HaStatus>(await ask(client, broker, RequestCode.GET_BROKER_HA_STATUS, "its HA status"));
}

export interface QueueOffsets {
  topic: string;
  brokerName: string;
  queueId: number;
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

/** A topic's queues on one broker: first and next offset, last write time. */
export async function topicStats(client: RemotingClient, broker: string, topic: string): Promise<QueueOffsets[]> {
  const r = await ask(client, broker, RequestCode.GET_TOPIC_STATS_INFO, `the offsets of ${topic}`, { topic });
  const body = json<{ offsetTable?: Record<string, { minOffset: number; maxOffset: number; lastUpdateTimestamp: number }> }>(r);
  return Object.entries(body.offsetTable ?? {})
    .map(([key, o]) => {
      const mq = JSON.parse(key) as { topic: string; brokerName: string; queueId: number };
      return {
        topic: mq.topic,
        brokerName: mq.brokerName,
        queueId: mq.queueId,
        minOffset: o.minOffset,
        maxOffset: o.maxOffset,
        lastUpdateTimestamp: o.lastUpdateTimestamp,
      };
    })
    .sort((a, b) => a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId);
}

/** Removes a topic's config and queues from one broker. */
export async function deleteTopicInBroker(client: RemotingClient, broker: string, topic: string): Promise<void> {
  await ask(client, broker, RequestCode.DELETE_TOPIC_IN_BROKER, `deleting ${topic}`, { topic });
}

/** Removes a topic's route from one name server. */
export async function deleteTopicInNamesrv(client: RemotingClient, namesrv: string, topic: string): Promise<void> {
  await ask(client, namesrv, RequestCode.DELETE_TOPIC_IN_NAMESRV, `deleting ${topic}`, { topic });
}

export interface DLedgerMetadata {
  leaderId: string | null;
  term: number | null;
  /** Peer id → DLedger address. */
  peers: Record<string, string>;
}

/**
 * A DLedger member's view of its group, asked on its DLedger port: the leader (METADATA) and the current term.
 * METADATA leaves the term out, so the term comes from a heartbeat stamped with term -1: Raft answers a stale term
 * with "expired term" and its own current term, and changes nothing.
 */
export async function dledgerMetadata(
  client: RemotingClient,
  dledgerAddr: string,
  group: string,
  memberId: string,
): Promise<DLedgerMetadata> {
  const dledger = async (code: number, request: object) => {
    const r = await client.request(dledgerAddr, code, { body: Buffer.from(JSON.stringify({ group, remoteId: memberId, ...request })) });
    // DLedger answers with its own codes (200 is success) in the remoting code and in the body.
    if (r.code !== 200 && r.code !== 0) throw new AdminRequestError(dledgerAddr, "its DLedger state", r);
    return json<{ code?: number; leaderId?: string; term?: number; peers?: Record<string, string> }>(r);
  };
  const meta = await dledger(RequestCode.DLEDGER_METADATA, {});
  const beat = await dledger(RequestCode.DLEDGER_HEART_BEAT, { localId: "console", leaderId: "console", term: -1 });
  return {
    leaderId: meta.leaderId ?? null,
    term: typeof beat.term === "number" && beat.term >= 0 ? beat.term : null,
    peers: meta.peers ?? {},
  };
}

export interface ControllerMetadata {
  controllerLeaderId?: string;
  controllerLeaderAddress?: string;
  isLeader?: string;
  peers?: string;
}

/** Which controller leads (only the leader answers sync-state requests). */
export async function controllerMetadata(client: RemotingClient, controller: string): Promise<ControllerMetadata> {
  return (await ask(client, controller, RequestCode.CONTROLLER_GET_METADATA_INFO, "its metadata")).extFields ?? {};
}

export interface ReplicaState {
  masterBrokerId?: number;
  masterAddress?: string;
  masterEpoch?: number;
  syncStateSetEpoch?: number;
  inSyncReplicas?: { brokerId: number; brokerAddress: string; alive: boolean }[];
  notInSyncReplicas?: { brokerId: number; brokerAddress: string; alive: boolean }[];
}

/** The controller leader's SyncStateSet per broker group. */
export async function controllerSyncState(
  client: RemotingClient,
  controllerLeader: string,
  brokerNames: string[],
): Promise<Record<string, ReplicaState>> {
  const r = await ask(
    client,
    controllerLeader,
    RequestCode.CONTROLLER_GET_SYNC_STATE_DATA,
    "the sync state",
    undefined,
    Buffer.from(JSON.stringify(brokerNames)),
  );
  return json<{ replicasInfoTable?: Record<string, ReplicaState> }>(r).replicasInfoTable ?? {};
}
