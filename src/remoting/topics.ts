// Topics for tests, created over the remoting protocol (no JVM start per topic, unlike mqadmin): on every broker
// of the cluster, then confirmed by the name server, so a client started next finds the route at once.
import { brokersOf, clusterInfo } from "./cluster.ts";
import { oneShot, signing } from "./client.ts";
import type { Credentials } from "./auth.ts";
import type { Requester } from "./connection.ts";
import { BrokerRequestError } from "./namesrv.ts";
import { topicRoute } from "./route.ts";
import { RequestCode } from "./codes.ts";

export interface TopicOptions {
  /** Read and write queues per broker. Default 4. */
  queues?: number;
  /** Message type attribute of RocketMQ 5 (NORMAL, FIFO, DELAY, TRANSACTION); 5.x clients check it. Default NORMAL. */
  messageType?: "NORMAL" | "FIFO" | "DELAY" | "TRANSACTION";
  /** PermName bits: 6 read and write (default), 4 read only, 2 write only. */
  perm?: 2 | 4 | 6;
}

/**
 * Creates `topic` on every broker the name server lists (masters must accept; 4.x slaves refuse and copy the
 * topic from their master, which is fine), then waits until the name server routes it.
 */
export interface CreateTopicOptions extends TopicOptions {
  rocketmq5?: boolean;
  /**
   * Read queues when they differ from `queues`: more read than write queues keeps the messages in queues being
   * removed readable until they are consumed.
   */
  readQueues?: number;
  /** How long to wait for the name server to route the topic. Default 30 s. */
  timeoutMs?: number;
  /** A pooled client (the console's, with its request timeout); default one connection per request, 10 s each. */
  requester?: Requester;
  /** Signs the requests (brokers with authentication on refuse unsigned ones). */
  credentials?: Credentials;
}

/** The header of UPDATE_AND_CREATE_TOPIC for `topic` (one broker's request). */
export function topicConfigFields(topic: string, options: CreateTopicOptions = {}): Record<string, string> {
  const queues = String(options.queues ?? 4);
  const extFields: Record<string, string> = {
    topic,
    defaultTopic: "TBW102",
    readQueueNums: String(options.readQueues ?? queues),
    writeQueueNums: queues,
    perm: String(options.perm ?? 6),
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: "0",
    order: String(options.messageType === "FIFO"),
  };
  if (options.rocketmq5 !== false) extFields.attributes = `+message.type=${options.messageType ?? "NORMAL"}`;
  return extFields;
}

export async function createTopic(namesrvAddr: string, topic: string, options: CreateTopicOptions = {}): Promise<void> {
  const requester = signing(options.requester ?? oneShot, options.credentials);
  const perRequest = options.requester ? {} : { timeoutMs: 10_000 };
  const info = await clusterInfo(namesrvAddr, requester);
  const brokers = brokersOf(info);
  if (!brokers.some((b) => b.brokerId === 0))
    throw new Error(`the name server ${namesrvAddr} lists no master broker to create topic ${topic} on`);
  const extFields = topicConfigFields(topic, options);
  await Promise.all(
    brokers.map(async (b) => {
      const refused = (why: string, cause?: Error) =>
        new BrokerRequestError(`broker ${b.brokerName} (${b.address}) did not create topic ${topic}: ${why}`, { cause });
      const r = await requester.request(b.address, RequestCode.UPDATE_AND_CREATE_TOPIC, { extFields, ...perRequest }).catch((e: Error) => {
        if (b.brokerId === 0) throw refused(e.message, e);
        return undefined;
      });
      if (r && r.code !== 0 && b.brokerId === 0) throw refused(`code ${r.code} ${r.remark ?? ""}`);
    }),
  );
  await waitForRoute(namesrvAddr, topic, options.timeoutMs ?? 30_000, requester);
}

export async function waitForRoute(namesrvAddr: string, topic: string, timeoutMs: number, requester: Requester = oneShot): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = await topicRoute(requester, namesrvAddr, topic).then(
      () => undefined,
      (e: Error) => e.message,
    );
    if (failure === undefined) return;
    if (Date.now() > deadline) throw new Error(`after ${timeoutMs} ms: ${failure}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}
