// Applies a validated bootstrap file to a running cluster, idempotently: what exists and matches is left alone,
// what differs is updated, what is missing is created. Nothing the file does not name is touched. Users, ACLs and
// consumer groups live in each broker's own store, so they are written to every broker (as `mqadmin -c` does);
// topics are created on every broker and confirmed by the name server.
import { ensurePolicies, ensureUser } from "../remoting/acl.ts";
import { withTimeout } from "../remoting/client.ts";
import { brokersOf, clusterInfo, onEveryBroker, type BrokerMember } from "../remoting/cluster.ts";
import type { Requester } from "../remoting/connection.ts";
import { createSubscriptionGroup } from "../remoting/groups.ts";
import { NoNamesrvAnsweredError, fromAnyNamesrv } from "../remoting/namesrv.ts";
import { topicRoute } from "../remoting/route.ts";
import { createTopic } from "../remoting/topics.ts";
import type { BootstrapSpec, GroupSpec, TopicSpec, UserSpec } from "./spec.ts";

export interface ApplyOptions {
  requester: Requester;
  namesrvs: readonly string[];
  rocketmq5: boolean;
  /** One line per declaration: what was done. */
  report(line: string): void;
}

/**
 * How long a broker may take to answer a write: it persists its config file (topics, groups, users) before it
 * answers, and it took more than the default 3 s on a busy 2-core machine.
 */
const WRITE_TIMEOUT_MS = 10_000;

/** Returns what was done on this broker: created, updated or nothing. */
async function applyUser(requester: Requester, broker: string, user: UserSpec): Promise<"created" | "updated" | "unchanged"> {
  const outcome = await ensureUser(requester, broker, user);
  const aclChanged = await ensurePolicies(requester, broker, `User:${user.username}`, user.policies);
  return outcome === "unchanged" && aclChanged ? "updated" : outcome;
}

/** The most read queues any broker has now: fewer would hide messages still in the queues being removed. */
async function currentReadQueues(requester: Requester, namesrvs: readonly string[], topic: string): Promise<number> {
  try {
    const { value: route } = await fromAnyNamesrv(namesrvs, (ns) => topicRoute(requester, ns, topic));
    return Math.max(0, ...route.queueDatas.map((q) => q.readQueueNums));
  } catch (e) {
    // fromAnyNamesrv wraps each name server's NoRouteError: a topic no name server routes is a new one.
    if (e instanceof NoNamesrvAnsweredError && e.failures.length && e.failures.every((f) => /has no route/.test(f))) return 0;
    throw e;
  }
}

async function applyTopic(options: ApplyOptions, topic: TopicSpec): Promise<string> {
  const { requester, namesrvs } = options;
  const read = await currentReadQueues(requester, namesrvs, topic.name);
  const readQueues = Math.max(read, topic.queues);
  await fromAnyNamesrv(namesrvs, (ns) =>
    createTopic(ns, topic.name, {
      queues: topic.queues,
      readQueues,
      perm: topic.perm,
      messageType: topic.messageType,
      rocketmq5: options.rocketmq5,
      requester,
    }),
  );
  const shape = `${topic.queues} queue(s), ${topic.messageType}, perm ${topic.perm}`;
  if (!read) return `topic ${topic.name}: created (${shape})`;
  return readQueues > topic.queues
    ? `topic ${topic.name}: applied (${shape}); ${readQueues} read queues kept until the removed queues are consumed`
    : `topic ${topic.name}: applied (${shape})`;
}

async function applyGroup(options: ApplyOptions, brokers: BrokerMember[], group: GroupSpec): Promise<string> {
  await onEveryBroker(
    brokers,
    (b) =>
      createSubscriptionGroup(options.requester, b.address, {
        groupName: group.name,
        retryMaxTimes: group.retryMaxTimes,
        consumeMessageOrderly: group.orderly,
        consumeEnable: group.consumeEnable,
        consumeBroadcastEnable: group.broadcast,
      }),
    { slavesMayRefuse: !options.rocketmq5 },
  );
  return `consumer group ${group.name}: applied`;
}

/** Applies `spec`; throws on the first declaration a master refuses (what came before it stays applied). */
export async function applyBootstrap(spec: BootstrapSpec, given: ApplyOptions): Promise<void> {
  const options = { ...given, requester: withTimeout(given.requester, WRITE_TIMEOUT_MS) };
  if (spec.users.length && !options.rocketmq5) {
    throw new Error("users and policies need RocketMQ 5 with AUTH_ENABLED=true (ACL 2.0); this cluster runs RocketMQ 4");
  }
  const { value: info } = await fromAnyNamesrv(options.namesrvs, (ns) => clusterInfo(ns, options.requester));
  const brokers = brokersOf(info);
  if (!brokers.some((b) => b.brokerId === 0)) throw new Error("the name servers list no master broker");

  // Users first: their policies may name the topics and groups that follow.
  for (const user of spec.users) {
    const outcomes = new Set<string>();
    await onEveryBroker(brokers, async (b) => {
      outcomes.add(await applyUser(options.requester, b.address, user));
    });
    const what = outcomes.has("created") ? "created" : outcomes.has("updated") ? "updated" : "unchanged";
    options.report(`user ${user.username}: ${what} (${user.policies.length} polic${user.policies.length === 1 ? "y" : "ies"})`);
  }
  for (const topic of spec.topics) options.report(await applyTopic(options, topic));
  for (const group of spec.groups) options.report(await applyGroup(options, brokers, group));
}
