// What the console shows, read over the remoting protocol: the name servers' view of the cluster and what each
// broker reports. Broker requests run side by side with bounded fan-out, each bounded by the request timeout, so a
// node that is down or paused slows a page by at most that timeout; answers are cached for a moment.
import { withoutSecrets } from "../catalogue/catalogue.ts";
import { splitAddress, splitNamesrvList } from "../remoting/address.ts";
import { brokersOf, clusterInfo, masterOf, onEveryBroker, type BrokerMember, type ClusterInfo } from "../remoting/cluster.ts";
import { NoNamesrvAnsweredError, fromAnyNamesrv } from "../remoting/namesrv.ts";
import { topicRoute, type TopicRoute } from "../remoting/route.ts";
import {
  AdminRequestError,
  brokerConfig,
  brokerRuntimeInfo,
  consumeStats,
  controllerMetadata,
  controllerSyncState,
  deleteTopicInBroker,
  deleteTopicInNamesrv,
  dledgerMetadata,
  haStatus,
  subscriptionGroup,
  subscriptionGroups,
  type SubscriptionGroup,
  topicList,
  topicStats,
  type QueueOffsets,
  type QueueProgress,
} from "../remoting/admin.ts";
import {
  consumerConnections,
  producerConnections,
  queryMessagesByKey,
  recentMessages,
  resendToGroup,
  resetConsumerOffset,
  sendMessage,
  viewMessageById,
  type ClientConnection,
  type ConsumerConnection,
  type OffsetReset,
  type OutgoingMessage,
  type SendResult,
} from "../remoting/messages.ts";
import type { DecodedMessage } from "../remoting/message-codec.ts";
import { messagesBetween, type TimeWindow, type WindowPage } from "../remoting/browse.ts";
import { decodeTrace, type TraceEvent } from "../remoting/trace.ts";
import {
  customEntries,
  deleteUser,
  ensurePolicies,
  ensureUser,
  listAcls,
  listUsers,
  type PolicyEntry,
  type UserStatus,
  type UserType,
} from "../remoting/acl.ts";
import type { RemotingClient } from "../remoting/connection.ts";
import { ResponseCode } from "../remoting/codes.ts";
import { createTopic } from "../remoting/topics.ts";
import { createSubscriptionGroup, deleteSubscriptionGroup, type SubscriptionGroupSettings } from "../remoting/groups.ts";
import { mapLimit } from "../remoting/limit.ts";
import { diskWarnings } from "./disk.ts";
import { isSystemGroup, topicKind } from "./kinds.ts";

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
  /** What the broker does about its disk use now (diskWarnings); empty when all is well. */
  warnings: string[];
  error?: string;
}

export interface ClusterOverview {
  namesrv: string;
  brokers: BrokerView[];
}

export interface TopicDetail {
  name: string;
  brokers: { brokerName: string; master: string | null; readQueues: number; writeQueues: number; perm: number }[];
  queues: QueueOffsets[];
  errors: string[];
}

export interface GroupSummary {
  name: string;
  brokers: string[];
  system: boolean;
}

export interface GroupDetail {
  name: string;
  lag: number;
  consumeTps: number;
  queues: QueueProgress[];
  errors: string[];
}

export interface GroupSettingsView {
  brokerName: string;
  settings: SubscriptionGroup | null;
  error?: string;
}

export interface HaMember {
  brokerId: number;
  address: string;
  role: string;
  commitLogMaxOffset: number | null;
  /** Bytes the member is behind its master (null for the master, or when unknown). */
  lagBytes: number | null;
  /** The master sees this member's replication connection (5.x), or the controller lists it in the SyncStateSet. */
  inSync: boolean | null;
  error?: string;
}

export interface HaGroup {
  cluster: string;
  brokerName: string;
  mode: "master-slave" | "dledger" | "controller";
  /** ASYNC_MASTER / SYNC_MASTER for master-slave; the flush and in-sync settings otherwise. */
  replication: string | null;
  members: HaMember[];
  dledger?: { leaderId: string | null; term: number | null; peers: string | null };
  controller?: { leader: string | null; masterEpoch: number | null; syncStateSetEpoch: number | null; syncStateSet: number[] };
  replicating: boolean;
  error?: string;
}

/** An ACL 2.0 user as the brokers hold it (never its password), with its own policy entries. */
export interface UserView {
  username: string;
  userType: string | null;
  userStatus: string | null;
  /** How many of the cluster's brokers hold the user: users and ACLs live in each broker's store. */
  brokers: number;
  policies: PolicyEntry[];
}

export interface UsersView {
  /** The cluster's brokers, masters and slaves: a user held by fewer is missing somewhere. */
  brokers: number;
  users: UserView[];
  /** Brokers that could not be read, with why (e.g. authentication is off there). */
  errors: string[];
}

export interface UserChange {
  username: string;
  /** Needed to create the user; left out, an existing user keeps its password. */
  password?: string;
  /** Left out: unchanged (Normal and enable for a new user). */
  userType?: UserType;
  userStatus?: UserStatus;
}

/** What /metrics reports of the consumer groups: null when they could not be listed; `errors` names failed reads. */
/** A trace event with the address of the client that reported it (the trace message's born host). */
export type TraceEventView = TraceEvent & { reportedBy: string };

/** Who consumes as a group: from a master, and from every proxy the console knows (`via` says which). */
export interface GroupConnections {
  connections: (ConsumerConnection["connections"][number] & { via: string })[];
  consumeType: string | null;
  messageModel: string | null;
  errors: string[];
}

/** What the history's per-topic TPS is derived from (see topicsWritten). */
export interface TopicsWritten {
  /** Messages ever written to each user topic: the sum of its queues' max offsets on every master. */
  written: Map<string, number>;
  /** User topics left out, past the limit. */
  skipped: number;
  errors: string[];
}

export interface GroupsProgress {
  groups: GroupDetail[] | null;
  errors: string[];
}

/**
 * Everything the routes read from or do to the cluster. Routes see only this: which name server or broker a
 * request goes to, and the failover between name servers, stay behind it.
 */
export interface ClusterSource {
  overview(): Promise<ClusterOverview>;
  topics(): Promise<string[]>;
  /** Creates the topic on every master, or updates its queue count and permission where it exists. */
  createTopic(name: string, queues: number, perm?: 2 | 4 | 6): Promise<void>;
  deleteTopic(name: string): Promise<void>;
  topic(name: string): Promise<TopicDetail>;
  brokerRuntime(address: string): Promise<Record<string, string>>;
  brokerConfig(address: string): Promise<Record<string, string>>;
  groups(): Promise<GroupSummary[]>;
  group(name: string, topic?: string): Promise<GroupDetail>;
  /** Every user group's progress (system groups left out): many requests, so cached longer than other reads. */
  groupsProgress(): Promise<GroupsProgress>;
  /** Messages written so far to each user topic, the first `limit` by name: one request per topic and master. */
  topicsWritten(limit: number): Promise<TopicsWritten>;
  /** A group's settings as each master stores them: null where a master does not have the group. */
  groupSettings(name: string): Promise<GroupSettingsView[]>;
  /** Creates a group, or replaces its settings, on every broker (4.x slaves refuse: they copy their master's). */
  saveGroup(settings: SubscriptionGroupSettings): Promise<void>;
  /** Deletes a group, with its consumer offsets, from every broker. */
  deleteGroup(name: string): Promise<void>;
  /** Who consumes as the group: as a master that answers sees it, and as each proxy (CONSOLE_PROXY_ADDR) does. */
  consumers(group: string): Promise<GroupConnections>;
  /** Producers connected as the group: on every master, or only on the masters that serve `topic`. */
  producers(group: string, topic?: string): Promise<(ClientConnection & { brokerName: string })[]>;
  /** Moves the group's offsets on the topic to the first message stored at or after `timestamp`, on every master. */
  resetOffset(group: string, topic: string, timestamp: number): Promise<OffsetReset[]>;
  /** Sends one message to a writable queue of the topic, as a producer would. */
  sendMessage(message: OutgoingMessage): Promise<SendResult>;
  /** The topic's messages with `key` in the brokers' index, newest first. */
  messagesByKey(topic: string, key: string, max: number): Promise<DecodedMessage[]>;
  /** A page of a topic's messages between two store times, newest first (see remoting/browse.ts). */
  messagesBetween(window: TimeWindow): Promise<WindowPage>;
  /** The topic's message with this broker offset id or producer id (UNIQ_KEY). */
  messageById(topic: string, id: string): Promise<DecodedMessage | undefined>;
  /** A message's trace: what its producer and consumers reported to the trace topic, in time order. */
  trace(msgId: string, traceTopic: string): Promise<TraceEventView[]>;
  /** The group's newest dead letters (%DLQ%<group>), and how many the topic holds. */
  deadLetters(group: string, max: number): Promise<{ total: number; messages: DecodedMessage[] }>;
  /** Sends a copy of a topic's message (a dead letter, or any other) to one group alone, through %RETRY%<group>. */
  resendMessage(topic: string, msgId: string, group: string): Promise<SendResult>;
  ha(): Promise<HaGroup[]>;
  /** ACL 2.0 users and their policies, from every broker. */
  users(): Promise<UsersView>;
  /** Creates or updates the user on every broker. */
  updateUser(user: UserChange): Promise<void>;
  /** Makes the user's policy entries exactly these, on every broker. */
  updatePolicies(username: string, entries: PolicyEntry[]): Promise<void>;
  /** Deletes the user and its ACL from every broker. */
  deleteUser(username: string): Promise<void>;
}

/** RocketMQ's own consumer groups (tools, the broker's internal consumers); listed apart from the users'. */
/** How long /metrics reuses the groups' progress: every user group on every master is many requests. */
const GROUPS_PROGRESS_CACHE_MS = 15_000;

export class RemotingClusterSource implements ClusterSource {
  private readonly client: RemotingClient;
  private readonly namesrvs: string[];
  private readonly cacheMs: number;
  private readonly cache = new Map<string, { at: number; ttl: number; value: Promise<unknown> }>();

  private readonly proxies: string[];

  /**
   * `client`'s default timeout (CONSOLE_REQUEST_TIMEOUT_MS) bounds every request made here. `proxies`: RocketMQ 5
   * proxies' remoting addresses, asked who is connected through them.
   */
  constructor(client: RemotingClient, namesrvAddr: string, cacheMs = 2000, proxies: string[] = []) {
    this.client = client;
    this.namesrvs = splitNamesrvList(namesrvAddr);
    this.cacheMs = cacheMs;
    this.proxies = proxies;
  }

  overview(): Promise<ClusterOverview> {
    return this.cached("overview", async () => {
      const { namesrv, info } = await this.clusterInfo();
      const brokers = await mapLimit(inClusterOrder(brokersOf(info)), 16, async (m): Promise<BrokerView> => {
        const base = {
          cluster: m.cluster,
          brokerName: m.brokerName,
          brokerId: m.brokerId,
          address: m.address,
          role: m.brokerId === 0 ? ("master" as const) : ("slave" as const),
        };
        try {
          // The thresholds come from the broker's config (cached longer); without it, RocketMQ's defaults.
          const [t, config] = await Promise.all([this.brokerRuntime(m.address), this.brokerConfig(m.address).catch(() => undefined)]);
          const diskUsedRatio = diskUsed(t.commitLogDirCapacity);
          return {
            ...base,
            version: t.brokerVersionDesc ?? null,
            tpsIn: firstNumber(t.putTps),
            tpsOut: firstNumber(t.getTransferredTps ?? t.getTransferedTps),
            diskUsedRatio,
            warnings: diskWarnings(diskUsedRatio, config),
          };
        } catch (e) {
          return { ...base, version: null, tpsIn: null, tpsOut: null, diskUsedRatio: null, warnings: [], error: (e as Error).message };
        }
      });
      return { namesrv, brokers };
    });
  }

  topics(): Promise<string[]> {
    return this.cached("topics", async () => (await this.fromAnyNamesrv((ns) => topicList(this.client, ns))).value);
  }

  async createTopic(name: string, queues: number, perm: 2 | 4 | 6 = 6): Promise<void> {
    await this.fromAnyNamesrv((ns) => createTopic(ns, name, { queues, perm, requester: this.client }));
    this.cache.delete("topics");
  }

  /** From every broker (slaves keep copies), then from every name server. */
  async deleteTopic(name: string): Promise<void> {
    const { info } = await this.clusterInfo();
    const failures: string[] = [];
    await mapLimit(brokersOf(info), 8, (m) =>
      deleteTopicInBroker(this.client, m.address, name).catch((e: Error) => failures.push(e.message)),
    );
    await mapLimit(this.namesrvs, 8, (ns) => deleteTopicInNamesrv(this.client, ns, name).catch((e: Error) => failures.push(e.message)));
    this.cache.delete("topics");
    if (failures.length) throw new Error(`topic ${name} was not deleted everywhere: ${failures.join("; ")}`);
  }

  async topic(name: string): Promise<TopicDetail> {
    const { info } = await this.clusterInfo();
    const route = await this.route(name);
    const brokers = route.queueDatas.map((q) => ({
      brokerName: q.brokerName,
      master: masterOf(info, q.brokerName) ?? route.brokerDatas.find((b) => b.brokerName === q.brokerName)?.brokerAddrs["0"] ?? null,
      readQueues: q.readQueueNums,
      writeQueues: q.writeQueueNums,
      perm: q.perm,
    }));
    const errors: string[] = [];
    const queues = (
      await mapLimit(brokers, 8, (b) =>
        b.master ? topicStats(this.client, b.master, name).catch((e: Error) => (errors.push(e.message), [])) : [],
      )
    ).flat();
    return { name, brokers: brokers.sort((a, b) => a.brokerName.localeCompare(b.brokerName)), queues, errors };
  }

  brokerRuntime(address: string): Promise<Record<string, string>> {
    return this.cached(`runtime ${address}`, () => brokerRuntimeInfo(this.client, address));
  }

  brokerConfig(address: string): Promise<Record<string, string>> {
    // A broker answers with its whole config file, the admin user and the inner client's secret key included: the
    // console shows who may read it the values of neither (whoever could use them may read the broker's file).
    return this.cached(`config ${address}`, async () => withoutSecrets(await brokerConfig(this.client, address)), 30_000);
  }

  /** Consumer groups configured on the masters, merged by name. */
  groups(): Promise<GroupSummary[]> {
    return this.cached("groups", async () => {
      const { info } = await this.clusterInfo();
      const byName = new Map<string, GroupSummary>();
      await mapLimit(mastersOf(info), 8, async (m) => {
        for (const g of await subscriptionGroups(this.client, m.address)) {
          const entry = byName.get(g.groupName) ?? { name: g.groupName, brokers: [], system: isSystemGroup(g.groupName) };
          entry.brokers.push(m.brokerName);
          byName.set(g.groupName, entry);
        }
      });
      return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    });
  }

  /** A group's progress on every master, per queue; a master that does not answer is named in `errors`. */
  async group(name: string, topic?: string): Promise<GroupDetail> {
    const { info } = await this.clusterInfo();
    const errors: string[] = [];
    let consumeTps = 0;
    const queues = (
      await mapLimit(mastersOf(info), 8, async (m) => {
        try {
          const s = await consumeStats(this.client, m.address, name, topic);
          consumeTps += s.consumeTps;
          return s.queues;
        } catch (e) {
          // A master that never saw the group answers "not exist"; that is not an error for the group as a whole.
          if (!/not exist|no consumer|code 206/i.test((e as Error).message)) errors.push((e as Error).message);
          return [];
        }
      })
    ).flat();
    // The group's own topics first, its retry topic after them: brokers answer in hash order.
    const retry = (t: string) => (t.startsWith("%RETRY%") ? 1 : 0);
    queues.sort(
      (a, b) =>
        retry(a.topic) - retry(b.topic) ||
        a.topic.localeCompare(b.topic) ||
        a.brokerName.localeCompare(b.brokerName) ||
        a.queueId - b.queueId,
    );
    return { name, lag: queues.reduce((sum, q) => sum + q.lag, 0), consumeTps, queues, errors };
  }

  groupsProgress(): Promise<GroupsProgress> {
    return this.cached(
      "groups progress",
      async () => {
        const errors: string[] = [];
        try {
          const groups = (await this.groups()).filter((g) => !g.system);
          const details = await mapLimit(groups, 8, (g) => this.group(g.name).catch((e: Error) => (errors.push(e.message), null)));
          return { groups: details.filter((d): d is GroupDetail => d !== null), errors };
        } catch (e) {
          return { groups: null, errors: [(e as Error).message] };
        }
      },
      GROUPS_PROGRESS_CACHE_MS,
    );
  }

  async topicsWritten(limit: number): Promise<TopicsWritten> {
    const { info } = await this.clusterInfo();
    const masters = mastersOf(info);
    const own = new Set(brokersOf(info).flatMap((b) => [b.brokerName, b.cluster]));
    const users = (await this.topics()).filter((t) => topicKind(t, own) === "normal").sort();
    const topics = users.slice(0, limit);
    const written = new Map<string, number>();
    const errors: string[] = [];
    await mapLimit(
      topics.flatMap((topic) => masters.map((m) => ({ topic, m }))),
      16,
      async ({ topic, m }) => {
        try {
          const queues = await topicStats(this.client, m.address, topic);
          written.set(topic, (written.get(topic) ?? 0) + queues.reduce((sum, q) => sum + q.maxOffset, 0));
        } catch (e) {
          // A topic lives on some masters only.
          if (!(e instanceof AdminRequestError && e.code === ResponseCode.TOPIC_NOT_EXIST)) errors.push((e as Error).message);
        }
      },
    );
    return { written, skipped: users.length - topics.length, errors };
  }

  async groupSettings(name: string): Promise<GroupSettingsView[]> {
    const { info } = await this.clusterInfo();
    return mapLimit(mastersOf(info), 8, async (m): Promise<GroupSettingsView> => {
      try {
        return { brokerName: m.brokerName, settings: (await subscriptionGroup(this.client, m.address, name)) ?? null };
      } catch (e) {
        return { brokerName: m.brokerName, settings: null, error: (e as Error).message };
      }
    });
  }

  /**
   * A broker stores the whole config it is sent: each broker's own copy is read first and only the fields given
   * change, so settings the console does not show (retry policy, consume timeout, …) are kept.
   */
  async saveGroup(settings: SubscriptionGroupSettings): Promise<void> {
    const given = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
    await this.onEveryBroker(
      `consumer group ${settings.groupName}`,
      async (address) => {
        const current = await subscriptionGroup(this.client, address, settings.groupName);
        await createSubscriptionGroup(this.client, address, { ...current, ...given, groupName: settings.groupName });
      },
      { slavesMayRefuse: await this.rocketmq4() },
    );
    this.cache.delete("groups");
  }

  async deleteGroup(name: string): Promise<void> {
    await this.onEveryBroker(`consumer group ${name}`, (address) => deleteSubscriptionGroup(this.client, address, name), {
      slavesMayRefuse: await this.rocketmq4(),
    });
    this.cache.delete("groups");
  }

  /** Whether a broker runs RocketMQ 4, whose slaves refuse group changes (and copy their master's every 10 s). */
  private async rocketmq4(): Promise<boolean> {
    return (await this.overview()).brokers.some((b) => b.version?.startsWith("V4_"));
  }

  async consumers(group: string): Promise<GroupConnections> {
    const master = (await this.overview()).brokers.find((b) => b.role === "master" && !b.error);
    const errors: string[] = [];
    // A proxy's clients (gRPC ones, and remoting ones that use it as their name server) are known to it alone.
    const asked = await Promise.all(
      [
        ...(master ? [{ via: `broker ${master.brokerName}`, address: master.address }] : []),
        ...this.proxies.map((address) => ({ via: `proxy ${address}`, address })),
      ].map(async ({ via, address }) => {
        try {
          return { via, found: await consumerConnections(this.client, address, group) };
        } catch (e) {
          errors.push(`${via}: ${(e as Error).message}`);
          return undefined;
        }
      }),
    );
    const answered = asked.filter((a) => a !== undefined);
    const seen = new Set<string>();
    return {
      connections: answered.flatMap(({ via, found }) =>
        found.connections.filter((c) => !seen.has(c.clientId) && seen.add(c.clientId)).map((c) => ({ ...c, via })),
      ),
      consumeType: answered.find((a) => a.found.consumeType)?.found.consumeType ?? null,
      messageModel: answered.find((a) => a.found.messageModel)?.found.messageModel ?? null,
      errors,
    };
  }

  async producers(group: string, topic?: string): Promise<(ClientConnection & { brokerName: string })[]> {
    const serving = topic ? new Set((await this.route(topic)).brokerDatas.map((b) => b.brokerName)) : undefined;
    const masters = (await this.overview()).brokers.filter(
      (b) => b.role === "master" && !b.error && (!serving || serving.has(b.brokerName)),
    );
    const perBroker = await mapLimit(masters, 8, async (m) =>
      (await producerConnections(this.client, m.address, group)).map((c) => ({ ...c, brokerName: m.brokerName })),
    );
    return perBroker.flat();
  }

  // The message operations take all the name servers: their route lookups fail over, their broker requests do not
  // (a send or reset that timed out may have been done, and must not be done twice).
  resetOffset(group: string, topic: string, timestamp: number): Promise<OffsetReset[]> {
    return resetConsumerOffset(this.client, this.namesrvs, topic, group, timestamp);
  }

  sendMessage(message: OutgoingMessage): Promise<SendResult> {
    return sendMessage(this.client, this.namesrvs, message);
  }

  messagesBetween(window: TimeWindow): Promise<WindowPage> {
    return messagesBetween(this.client, this.namesrvs, window);
  }

  messagesByKey(topic: string, key: string, max: number): Promise<DecodedMessage[]> {
    return queryMessagesByKey(this.client, this.namesrvs, topic, key, { maxNum: max });
  }

  async trace(msgId: string, traceTopic: string): Promise<TraceEventView[]> {
    // Trace messages are keyed by the traced message's id; a batch may hold other messages' events too.
    const reports = await queryMessagesByKey(this.client, this.namesrvs, traceTopic, msgId, { maxNum: 64 });
    const events = reports.flatMap((m) =>
      decodeTrace(m.body.toString("utf8"))
        .filter((e) => e.msgId === msgId)
        .map((e) => ({ ...e, reportedBy: m.bornHost })),
    );
    // Older clients' "consumed" events carry no time: they go right after the delivery they answer.
    const delivered = new Map(events.flatMap((e) => (e.type === "SubBefore" ? [[e.requestId, e.time] as const] : [])));
    const at = (e: TraceEventView) => e.time ?? (e.type === "SubAfter" ? delivered.get(e.requestId) : null) ?? Number.MAX_SAFE_INTEGER;
    const order = { Pub: 0, EndTransaction: 1, SubBefore: 2, SubAfter: 3 };
    return events.sort((a, b) => at(a) - at(b) || order[a.type] - order[b.type]);
  }

  messageById(topic: string, id: string): Promise<DecodedMessage | undefined> {
    return viewMessageById(this.client, this.namesrvs, topic, id);
  }

  deadLetters(group: string, max: number): Promise<{ total: number; messages: DecodedMessage[] }> {
    return recentMessages(this.client, this.namesrvs, `%DLQ%${group}`, max);
  }

  resendMessage(topic: string, msgId: string, group: string): Promise<SendResult> {
    return resendToGroup(this.client, this.namesrvs, topic, msgId, group);
  }

  ha(): Promise<HaGroup[]> {
    return this.cached("ha", async () => {
      const { info } = await this.clusterInfo();
      const byGroup = new Map<string, BrokerMember[]>();
      for (const m of inClusterOrder(brokersOf(info))) byGroup.set(m.brokerName, [...(byGroup.get(m.brokerName) ?? []), m]);
      return mapLimit([...byGroup.values()], 4, (members) => this.haGroup(members));
    });
  }

  /** One broker group's replication; `members` are its brokers, in id order. */
  private async haGroup(members: BrokerMember[]): Promise<HaGroup> {
    const { cluster, brokerName } = members[0]!;
    const facts = await mapLimit(members, 8, async (m) => {
      const [runtime, config, status] = await Promise.allSettled([
        this.brokerRuntime(m.address),
        this.brokerConfig(m.address),
        haStatus(this.client, m.address),
      ]);
      return {
        brokerId: m.brokerId,
        address: m.address,
        runtime: runtime.status === "fulfilled" ? runtime.value : undefined,
        config: config.status === "fulfilled" ? config.value : undefined,
        ha: status.status === "fulfilled" ? status.value : undefined,
        error: runtime.status === "rejected" ? (runtime.reason as Error).message : undefined,
      };
    });
    const config = facts.find((f) => f.config)?.config ?? {};
    const master = facts.find((f) => f.brokerId === 0);
    const masterOffset = num(master?.runtime?.commitLogMaxOffset);
    // The master lists each slave's replication connection as "/ip:port" from the slave's end: only the host is the slave's.
    const connectedHosts = new Set((master?.ha?.haConnectionInfo ?? []).map((c) => hostOf(c.addr.replace(/^\//, ""))));
    const mode: HaGroup["mode"] =
      config.enableDLegerCommitLog === "true" ? "dledger" : config.enableControllerMode === "true" ? "controller" : "master-slave";
    const group: HaGroup = {
      cluster,
      brokerName,
      mode,
      replication:
        mode === "master-slave"
          ? (master?.config?.brokerRole ?? null)
          : config.allAckInSyncStateSet === "true"
            ? "all acks in SyncStateSet"
            : `flush ${config.flushDiskType ?? "?"}`,
      members: facts.map((f) => {
        const offset = num(f.runtime?.commitLogMaxOffset);
        return {
          brokerId: f.brokerId,
          address: f.address,
          role: f.brokerId === 0 ? "master" : (f.config?.brokerRole ?? "SLAVE").toLowerCase(),
          commitLogMaxOffset: offset,
          lagBytes: f.brokerId === 0 || offset === null || masterOffset === null ? null : Math.max(0, masterOffset - offset),
          // 5.x: the master lists the slave's replication connection. 4.x has no HA status request: a slave within
          // 1 MiB of its master counts as in sync.
          inSync: f.brokerId === 0 ? true : master?.ha ? connectedHosts.has(hostOf(f.address)) : nearlyCaughtUp(offset, masterOffset),
          ...(f.error ? { error: f.error } : {}),
        };
      }),
      replicating: false,
    };
    if (mode === "dledger") {
      // The DLedger commit log is not the one runtime info measures: a member is in sync when it answers and
      // agrees with the others on the leader and the term.
      const views = await mapLimit(facts, 8, async (f) => {
        const selfId = f.config?.dLegerSelfId;
        const peer = f.config?.dLegerPeers?.split(";").find((p) => p.startsWith(`${selfId}-`));
        if (!selfId || !peer) return undefined;
        return dledgerMetadata(this.client, peer.slice(peer.indexOf("-") + 1), f.config?.dLegerGroup ?? brokerName, selfId).catch(
          () => undefined,
        );
      });
      const leader = views.find((v) => v?.leaderId && v.term !== null);
      group.dledger = { leaderId: leader?.leaderId ?? null, term: leader?.term ?? null, peers: config.dLegerPeers ?? null };
      group.members.forEach((m, i) => {
        m.lagBytes = null;
        m.inSync = !!leader && views[i]?.leaderId === leader.leaderId && views[i]?.term === leader.term;
      });
      if (!leader) group.error = "no member named a DLedger leader";
    }
    if (mode === "controller") {
      try {
        const leader = await this.controllerLeader(config.controllerAddr ?? "");
        const state = (await controllerSyncState(this.client, leader, [brokerName]))[brokerName] ?? {};
        const syncStateSet = (state.inSyncReplicas ?? []).map((r) => r.brokerId).sort((a, b) => a - b);
        group.controller = {
          leader,
          masterEpoch: state.masterEpoch ?? null,
          syncStateSetEpoch: state.syncStateSetEpoch ?? null,
          syncStateSet,
        };
        const inSyncAddrs = new Set((state.inSyncReplicas ?? []).map((r) => r.brokerAddress));
        for (const m of group.members) m.inSync = inSyncAddrs.has(m.address);
      } catch (e) {
        group.error = (e as Error).message;
      }
    }
    const followers = group.members.filter((m) => m.brokerId !== 0);
    group.replicating = !!master && !master.error && followers.length > 0 && followers.every((m) => m.inSync === true && !m.error);
    return group;
  }

  /** The controller leader, as the first controller that answers names it; only the leader answers sync-state requests. */
  private async controllerLeader(controllerAddr: string): Promise<string> {
    try {
      // Controllers, like name servers, are asked in turn until one answers.
      const { value } = await fromAnyNamesrv(splitNamesrvList(controllerAddr), async (controller) => {
        const leader = (await controllerMetadata(this.client, controller)).controllerLeaderAddress;
        if (!leader) throw new Error(`${controller} names no leader`);
        return leader;
      });
      return value;
    } catch (e) {
      if (e instanceof NoNamesrvAnsweredError)
        throw new Error(`no controller named its leader (${controllerAddr}): ${e.failures.join("; ")}`);
      throw e;
    }
  }

  private clusterInfo(): Promise<{ namesrv: string; info: ClusterInfo }> {
    return this.cached("cluster", async () => {
      const { namesrv, value } = await this.fromAnyNamesrv((ns) => clusterInfo(ns, this.client));
      return { namesrv, info: value };
    });
  }

  private async route(topic: string): Promise<TopicRoute> {
    return (await this.fromAnyNamesrv((ns) => topicRoute(this.client, ns, topic))).value;
  }

  async users(): Promise<UsersView> {
    const { info } = await this.clusterInfo();
    const brokers = brokersOf(info);
    const errors: string[] = [];
    const byName = new Map<string, UserView>();
    const perBroker = await mapLimit(brokers, 8, async (b) => {
      try {
        return { b, users: await listUsers(this.client, b.address), acls: await listAcls(this.client, b.address) };
      } catch (e) {
        errors.push(`${b.brokerName}/${b.brokerId}: ${(e as Error).message}`);
        return undefined;
      }
    });
    // Masters first: where brokers disagree, a master's copy is shown.
    for (const read of perBroker.filter((r) => r !== undefined).sort((x, y) => x.b.brokerId - y.b.brokerId)) {
      for (const u of read.users) {
        const seen = byName.get(u.username);
        if (seen) {
          seen.brokers++;
          continue;
        }
        const acl = read.acls.find((a) => a.subject === `User:${u.username}`);
        byName.set(u.username, {
          username: u.username,
          userType: u.userType ?? null,
          userStatus: u.userStatus ?? null,
          brokers: 1,
          policies: customEntries(acl),
        });
      }
    }
    return { brokers: brokers.length, users: [...byName.values()].sort((a, b) => a.username.localeCompare(b.username)), errors };
  }

  updateUser(user: UserChange): Promise<void> {
    return this.onEveryBroker(`user ${user.username}`, (address) => ensureUser(this.client, address, user).then(() => undefined));
  }

  updatePolicies(username: string, entries: PolicyEntry[]): Promise<void> {
    return this.onEveryBroker(`the policies of ${username}`, (address) =>
      ensurePolicies(this.client, address, `User:${username}`, entries).then(() => undefined),
    );
  }

  deleteUser(username: string): Promise<void> {
    return this.onEveryBroker(`user ${username}`, (address) => deleteUser(this.client, address, username));
  }

  /** Users, ACLs and groups are per broker: a change goes to every master and slave; any that fails is named. */
  private async onEveryBroker(
    what: string,
    change: (address: string) => Promise<void>,
    options: { slavesMayRefuse?: boolean } = {},
  ): Promise<void> {
    const { info } = await this.clusterInfo();
    await onEveryBroker(brokersOf(info), (b) => change(b.address), options).catch((e: Error) => {
      throw new Error(`${what} was not changed everywhere: ${e.message}`);
    });
  }

  private fromAnyNamesrv<T>(read: (namesrv: string) => Promise<T>): Promise<{ namesrv: string; value: T }> {
    return fromAnyNamesrv(this.namesrvs, read);
  }

  private cached<T>(key: string, load: () => Promise<T>, ttl = this.cacheMs): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < hit.ttl) return hit.value as Promise<T>;
    const value = load();
    this.cache.set(key, { at: Date.now(), ttl, value });
    value.catch(() => this.cache.delete(key));
    return value;
  }
}

/** Brokers as the pages list them: by cluster, group and id. */
function inClusterOrder(brokers: BrokerMember[]): BrokerMember[] {
  return brokers.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.brokerName.localeCompare(b.brokerName) || a.brokerId - b.brokerId);
}

function mastersOf(info: ClusterInfo): BrokerMember[] {
  return inClusterOrder(brokersOf(info).filter((m) => m.brokerId === 0));
}

/** The host of an address; the address itself when it is not host:port (it then matches no other). */
function hostOf(address: string): string {
  try {
    return splitAddress(address)[0];
  } catch {
    return address;
  }
}

function nearlyCaughtUp(offset: number | null, masterOffset: number | null): boolean | null {
  return offset === null || masterOffset === null ? null : masterOffset - offset < 1024 * 1024;
}

function num(text: string | undefined): number | null {
  const n = Number(text);
  return text !== undefined && text !== "" && Number.isFinite(n) ? n : null;
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
