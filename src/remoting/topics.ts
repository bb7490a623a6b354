// Topics for tests, created over the remoting protocol (no JVM start per topic, unlike mqadmin): on every broker
// of the cluster, then confirmed by the name server, so a client started next finds the route at once.
import { clusterInfo } from "./cluster.ts";
import { RequestCode, request } from "./client.ts";

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
export async function createTopic(namesrvAddr: string, topic: string, options: TopicOptions & { rocketmq5?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const queues = String(options.queues ?? 4);
  const info = await clusterInfo(namesrvAddr);
  const brokers = Object.entries(info.brokerAddrTable ?? {}).flatMap(([name, b]) => Object.entries(b.brokerAddrs ?? {}).map(([id, addr]) => ({ name, id, addr })));
  if (!brokers.some((b) => b.id === "0")) throw new Error(`the name server ${namesrvAddr} lists no master broker to create topic ${topic} on`);
  const extFields: Record<string, string> = {
    topic,
    defaultTopic: "TBW102",
    readQueueNums: queues,
    writeQueueNums: queues,
    perm: String(options.perm ?? 6),
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: "0",
    order: String(options.messageType === "FIFO"),
  };
  if (options.rocketmq5 !== false) extFields.attributes = `+message.type=${options.messageType ?? "NORMAL"}`;
  await Promise.all(
    brokers.map(async (b) => {
      const r = await request(b.addr, RequestCode.UPDATE_AND_CREATE_TOPIC, { extFields, timeoutMs: 10_000 }).catch((e: Error) => ({ code: -1, remark: e.message }));
      if (r.code !== 0 && b.id === "0") throw new Error(`broker ${b.name} (${b.addr}) refused to create topic ${topic}: code ${r.code} ${r.remark ?? ""}`);
    }),
  );
  await waitForRoute(namesrvAddr, topic, options.timeoutMs ?? 30_000);
}

export async function waitForRoute(namesrvAddr: string, topic: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await request(namesrvAddr, RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic } }).catch((e: Error) => ({ code: -1, remark: e.message }));
    if (r.code === 0) return;
    if (Date.now() > deadline) throw new Error(`the name server ${namesrvAddr} has no route for topic ${topic} after ${timeoutMs} ms (code ${r.code} ${r.remark ?? ""})`);
    await new Promise((res) => setTimeout(res, 200));
  }
}
