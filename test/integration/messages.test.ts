// The console's message operations (src/remoting/messages.ts, src/remoting/groups.ts) against a real 5.5.0 broker,
// checked with a client we did not write: npm ali-ons receives what sendMessage sent (and sends a compressed
// message for decodeMessages), shows up in the consumer and producer connection lists, consumes the messages
// again after an offset reset, and, failing on purpose, puts a message in the group's dead-letter queue for
// resendDlqMessage to send back to that group alone.
//
// ali-ons keeps sockets and timers alive after close(), so each ali-ons client runs in a child process: this file
// started again with ALI_ONS_CLIENT set (see runAliOnsClient at the end), talking JSON lines on stdout.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { RemotingClient } from "../../src/remoting/connection.ts";
import { consumeStats, subscriptionGroup } from "../../src/remoting/admin.ts";
import { createSubscriptionGroup } from "../../src/remoting/groups.ts";
import {
  consumerConnections,
  producerConnections,
  queryMessagesByKey,
  resendDlqMessage,
  resetConsumerOffset,
  sendMessage,
  viewMessageById,
  type SendResult,
} from "../../src/remoting/messages.ts";
import { NoNamesrvAnsweredError } from "../../src/remoting/namesrv.ts";
import { topicRoute } from "../../src/remoting/route.ts";
import { RocketMQContainer, type StartedRocketMQContainer } from "../../src/testcontainers/index.ts";

const CLIENT_ENV = "ALI_ONS_CLIENT";

/** What one ali-ons child process does. */
interface ClientRole {
  namesrv: string;
  topic: string;
  group: string;
  /** Throw from the handler: ali-ons sends the message back, and with maxReconsumeTimes 0 the broker dead-letters it. */
  fail?: boolean;
  maxReconsumeTimes?: number;
  /** Also start a producer (it stays connected, for the producer list) and send one body of `bigBytes` with `bigKey`. */
  producer?: { group: string; bigKey: string; bigBytes: number };
}

/** One JSON line from the child. */
type ClientEvent =
  | { event: "ready" }
  | { event: "closed" }
  | { event: "sent"; msgId: string; sendStatus: string }
  | {
      event: "message";
      topic: string;
      msgId: string;
      properties: Record<string, string>;
      reconsumeTimes: number;
      queueId: number;
      queueOffset: number;
      bodyLength: number;
      bodyStart: string;
    };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something other than undefined; after `timeoutMs` fails with `what` and the last value seen. */
async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, last?: () => unknown): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`${what} within ${timeoutMs} ms${last ? `; last seen: ${JSON.stringify(last())}` : ""}`);
    await sleep(200);
  }
}

class AliOnsProcess {
  readonly events: ClientEvent[] = [];
  private readonly child: ChildProcess;
  private stderr = "";
  private exited = false;

  constructor(role: ClientRole) {
    // NODE_TEST_CONTEXT would make the child talk to this test runner.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    this.child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
      env: { ...env, [CLIENT_ENV]: JSON.stringify(role) },
      stdio: ["pipe", "pipe", "pipe"],
    });
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      if (line.startsWith("{")) this.events.push(JSON.parse(line) as ClientEvent);
    });
    this.child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.child.on("exit", () => (this.exited = true));
  }

  static async start(role: ClientRole): Promise<AliOnsProcess> {
    const p = new AliOnsProcess(role);
    await p.waitFor("the ali-ons client to start", 60_000, (e) => e.event === "ready");
    return p;
  }

  messages(): Extract<ClientEvent, { event: "message" }>[] {
    return this.events.filter((e): e is Extract<ClientEvent, { event: "message" }> => e.event === "message");
  }

  async waitFor<T extends ClientEvent>(what: string, timeoutMs: number, match: (e: ClientEvent) => e is T): Promise<T>;
  async waitFor(what: string, timeoutMs: number, match: (e: ClientEvent) => boolean): Promise<ClientEvent>;
  async waitFor(what: string, timeoutMs: number, match: (e: ClientEvent) => boolean): Promise<ClientEvent> {
    return eventually(
      what,
      timeoutMs,
      async () => {
        if (this.exited && !this.events.some(match)) assert.fail(`the ali-ons client exited before ${what}:\n${this.stderr}`);
        return this.events.find(match);
      },
      () => this.events,
    );
  }

  /** Closes the client (it commits its offsets and unregisters) and waits for the process to end. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.child.stdin!.write("close\n");
    await this.waitFor("the ali-ons client to close", 30_000, (e) => e.event === "closed");
    await eventually("the ali-ons process to exit", 10_000, async () => (this.exited ? true : undefined));
  }

  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }
}

const totalLag = async (client: RemotingClient, broker: string, group: string, topic: string) =>
  (await consumeStats(client, broker, group, topic)).queues.reduce((n, q) => n + q.lag, 0);

if (process.env[CLIENT_ENV]) {
  await runAliOnsClient(JSON.parse(process.env[CLIENT_ENV]) as ClientRole);
} else {
  const { dockerAvailability, ensureImages, uniqueId } = await import("./harness.ts");
  const skip = await dockerAvailability();

  describe("messages over the remoting protocol, checked with ali-ons", { skip }, () => {
    let rocketmq: StartedRocketMQContainer;
    const client = new RemotingClient({ timeoutMs: 5000 });
    const children: AliOnsProcess[] = [];
    const TOPIC = "MessagesTopic";
    const DLQ_TOPIC = "DeadLetterTopic";
    const runId = uniqueId("msg");
    const group = `${runId}-group`;
    let namesrv: string;
    let broker: string;
    let sentAt: number;
    const sent: SendResult[] = [];
    let consumer: AliOnsProcess;
    let bigMsgId: string;

    before(async () => {
      await ensureImages();
      rocketmq = await new RocketMQContainer().withTopics(TOPIC, DLQ_TOPIC).start();
      namesrv = rocketmq.getNamesrvAddr();
      broker = rocketmq.getBrokerAddr();
    });
    after(async () => {
      for (const c of children) c.kill();
      client.close();
      await rocketmq?.stop();
    });

    test("topicRoute and sendMessage: four sends go round robin to the four queues of the master", async () => {
      const route = await topicRoute(client, namesrv, TOPIC);
      assert.deepEqual(
        route.queueDatas.map((q) => [q.brokerName, q.readQueueNums, q.writeQueueNums, q.perm]),
        [["broker-a", 4, 4, 6]],
      );
      assert.deepEqual(
        route.brokerDatas.map((b) => [b.brokerName, b.brokerAddrs["0"]]),
        [["broker-a", broker]],
      );

      sentAt = Date.now();
      for (let i = 0; i < 4; i++) {
        sent.push(
          await sendMessage(client, namesrv, {
            topic: TOPIC,
            body: `body ${runId} ${i} ✓`,
            tags: `Tag${i}`,
            keys: [runId, `${runId}-${i}`],
            properties: { origin: "console", n: String(i) },
          }),
        );
      }
      assert.deepEqual(sent.map((s) => s.queueId).sort(), [0, 1, 2, 3]);
      for (const s of sent) {
        assert.equal(s.brokerName, "broker-a");
        assert.equal(s.queueOffset, 0, "the first message of each queue");
        assert.match(s.msgId, /^[0-9A-F]{32}$/);
        assert.match(s.offsetMsgId, /^[0-9A-F]{32}$/);
        assert.notEqual(s.msgId, s.offsetMsgId);
      }
      assert.equal(new Set(sent.map((s) => s.msgId)).size, 4, "every message gets its own id");
    });

    test("queryMessagesByKey and viewMessageById find the messages by key, by the broker's id and by the producer's id", async (t) => {
      const started = Date.now();
      // The key index is written by a background thread moments after the message.
      const all = await eventually("all four messages by their shared key", 15_000, async () => {
        const found = await queryMessagesByKey(client, namesrv, TOPIC, runId);
        return found.length === 4 ? found : undefined;
      });
      t.diagnostic(`found by key ${Date.now() - started} ms after the last send`);
      for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.storeTimestamp >= all[i]!.storeTimestamp, "newest first");
      assert.deepEqual(new Set(all.map((m) => m.msgId)), new Set(sent.map((s) => s.msgId)));

      const [one] = await queryMessagesByKey(client, namesrv, TOPIC, `${runId}-2`);
      assert.ok(one);
      const s = sent[2]!;
      assert.deepEqual(
        [one.msgId, one.offsetMsgId, one.queueId, one.queueOffset, one.brokerName],
        [s.msgId, s.offsetMsgId, s.queueId, s.queueOffset, "broker-a"],
      );
      assert.deepEqual(
        [one.body.toString("utf8"), one.tags, one.keys, one.properties.origin, one.properties.n, one.reconsumeTimes],
        [`body ${runId} 2 ✓`, "Tag2", [runId, `${runId}-2`], "console", "2", 0],
      );
      assert.equal(one.storeHost, broker, "the store host is the advertised broker address");
      assert.ok(one.bornTimestamp >= sentAt && one.storeTimestamp >= one.bornTimestamp - 1000);

      const byOffsetId = await viewMessageById(client, namesrv, TOPIC, s.offsetMsgId);
      const byProducerId = await viewMessageById(client, namesrv, TOPIC, s.msgId);
      assert.equal(byOffsetId?.commitLogOffset, one.commitLogOffset);
      assert.equal(byProducerId?.commitLogOffset, one.commitLogOffset);
      assert.equal(byProducerId?.body.toString("utf8"), `body ${runId} 2 ✓`);

      assert.equal(await viewMessageById(client, namesrv, TOPIC, "0123456789ABCDEF0123456789ABCDEF"), undefined, "an unknown id");
      assert.equal(await viewMessageById(client, namesrv, DLQ_TOPIC, s.msgId), undefined, "a message of another topic");
      assert.deepEqual(
        await queryMessagesByKey(client, namesrv, TOPIC, runId, {
          beginTimestamp: Date.now() + 60_000,
          endTimestamp: Date.now() + 120_000,
        }),
        [],
        "outside the time range",
      );
      assert.equal((await queryMessagesByKey(client, namesrv, TOPIC, runId, { maxNum: 2 })).length, 2, "maxNum");
    });

    test("ali-ons receives what sendMessage sent; its compressed message decodes; connections listed; lag goes to 0", async (t) => {
      assert.equal(await totalLag(client, broker, group, TOPIC), 4, "before anyone consumed, a new group lags by every message");
      const started = Date.now();
      consumer = await AliOnsProcess.start({
        namesrv,
        topic: TOPIC,
        group,
        producer: { group: `${runId}-producer`, bigKey: `${runId}-big`, bigBytes: 8192 },
      });
      children.push(consumer);
      const big = await consumer.waitFor(
        "ali-ons to send its message",
        30_000,
        (e): e is Extract<ClientEvent, { event: "sent" }> => e.event === "sent",
      );
      assert.equal(big.sendStatus, "SEND_OK");
      bigMsgId = big.msgId;
      await eventually(
        "ali-ons to receive the four messages and its own",
        30_000,
        async () => (consumer.messages().length >= 5 ? true : undefined),
        () => consumer.messages(),
      );
      t.diagnostic(`ali-ons started and received 5 messages in ${Date.now() - started} ms`);
      for (const [i, s] of sent.entries()) {
        const got = consumer.messages().find((m) => m.properties.UNIQ_KEY === s.msgId);
        assert.ok(got, `ali-ons received message ${i}`);
        assert.equal(got.msgId, s.offsetMsgId, "ali-ons' id is the broker's offset id");
        assert.deepEqual(
          [got.topic, got.queueId, got.queueOffset, got.bodyStart],
          [TOPIC, s.queueId, s.queueOffset, `body ${runId} ${i} ✓`],
        );
        assert.deepEqual(
          [got.properties.TAGS, got.properties.KEYS, got.properties.origin],
          [`Tag${i}`, `${runId} ${runId}-${i}`, "console"],
        );
      }

      assert.equal(consumer.messages().find((m) => m.msgId === bigMsgId)?.bodyLength, 8192, "ali-ons received its own message too");

      // ali-ons compresses bodies over 4 KiB (zlib) and, like the Java client, sets a UNIQ_KEY of client IP, pid and time.
      const [bigMessage] = await eventually("ali-ons' message by key", 15_000, async () => {
        const found = await queryMessagesByKey(client, namesrv, TOPIC, `${runId}-big`);
        return found.length ? found : undefined;
      });
      assert.ok(bigMessage);
      assert.equal(bigMessage.sysFlag & 1, 1, "stored compressed");
      assert.equal(bigMessage.body.length, 8192);
      assert.ok(bigMessage.body.toString("utf8").startsWith(`${runId}-big `));
      assert.equal(bigMessage.offsetMsgId, bigMsgId, "ali-ons reports the broker's offset id");
      assert.equal(bigMessage.msgId, bigMessage.properties.UNIQ_KEY);
      assert.match(bigMessage.msgId, /^[0-9A-F]{32}$/);
      assert.notEqual(bigMessage.msgId, bigMsgId);
      // Both ids are 32 hex digits; the producer's begins with an IP too, but not one of the topic's brokers.
      assert.equal((await viewMessageById(client, namesrv, TOPIC, bigMsgId))?.body.length, 8192);
      assert.equal((await viewMessageById(client, namesrv, TOPIC, bigMessage.msgId))?.commitLogOffset, bigMessage.commitLogOffset);

      const consumers = await consumerConnections(client, broker, group);
      assert.equal(consumers.connections.length, 1, JSON.stringify(consumers));
      assert.equal(consumers.connections[0]!.language, "JAVA", "ali-ons introduces itself as a Java client");
      assert.match(consumers.connections[0]!.clientId, /@/);
      assert.deepEqual([consumers.consumeType, consumers.messageModel], ["CONSUME_PASSIVELY", "CLUSTERING"]);
      assert.deepEqual(
        consumers.subscriptions.map((s) => [s.topic, s.expression]),
        [
          [`%RETRY%${group}`, "*"],
          [TOPIC, "*"],
        ],
      );
      const producers = await producerConnections(client, broker, `${runId}-producer`);
      assert.deepEqual(
        producers.map((p) => p.clientId),
        [consumers.connections[0]!.clientId],
        "producer and consumer share ali-ons' client instance",
      );
      assert.deepEqual(await producerConnections(client, broker, `${runId}-nobody`), []);

      const lagStarted = Date.now();
      await eventually("the group's lag to reach 0 with 5 messages in the topic", 20_000, async () => {
        const stats = await consumeStats(client, broker, group, TOPIC);
        const total = stats.queues.reduce((n, q) => n + q.brokerOffset, 0);
        return total === 5 && stats.queues.every((q) => q.lag === 0) ? true : undefined;
      });
      t.diagnostic(`lag 0 ${Date.now() - lagStarted} ms after the last message arrived`);
    });

    test("resetConsumerOffset with the consumer online: the broker answers the new offsets and ali-ons consumes everything again", async (t) => {
      const before = consumer.messages().length;
      const started = Date.now();
      const offsets = await resetConsumerOffset(client, namesrv, TOPIC, group, sentAt - 1000);
      assert.deepEqual(
        offsets,
        [0, 1, 2, 3].map((queueId) => ({ brokerName: "broker-a", queueId, offset: 0 })),
      );
      // ali-ons learns it on its next pull (PULL_OFFSET_MOVED), at the latest when its long poll (2 s here) ends.
      await eventually(
        "ali-ons to receive the five messages again",
        30_000,
        async () => (consumer.messages().length >= before + 5 ? true : undefined),
        () => consumer.messages().length - before,
      );
      t.diagnostic(`redelivered ${Date.now() - started} ms after the reset`);
      const again = consumer.messages().slice(before);
      assert.deepEqual(new Set(again.map((m) => m.msgId)), new Set([...sent.map((s) => s.offsetMsgId), bigMsgId]));
      await eventually("the lag to be 0 again", 20_000, async () =>
        (await totalLag(client, broker, group, TOPIC)) === 0 ? true : undefined,
      );
    });

    test("with the consumer gone: no connections, a reset brings the lag back, a reset to the future clears it", async () => {
      await consumer.close();
      assert.deepEqual((await consumerConnections(client, broker, group)).connections, [], "nobody online is an empty list");
      assert.equal(await totalLag(client, broker, group, TOPIC), 0);

      const offsets = await resetConsumerOffset(client, namesrv, TOPIC, group, sentAt - 1000);
      assert.ok(offsets.length === 4 && offsets.every((o) => o.offset === 0), JSON.stringify(offsets));
      assert.equal(await totalLag(client, broker, group, TOPIC), 5, "every message is unconsumed again");

      const toEnd = await resetConsumerOffset(client, namesrv, TOPIC, group, Date.now() + 60_000);
      assert.equal(
        toEnd.reduce((n, o) => n + o.offset, 0),
        5,
        "each queue's end",
      );
      assert.equal(await totalLag(client, broker, group, TOPIC), 0);

      await assert.rejects(
        resetConsumerOffset(client, namesrv, TOPIC, `${runId}-never-seen`, sentAt),
        /not exist/,
        "a group the broker has never seen",
      );
    });

    test("DLQ round trip: a failing consumer dead-letters the message, resendDlqMessage sends it to that group's retry topic only", async (t) => {
      const failing = `${runId}-dlq`;
      const other = `${runId}-other`;
      await createSubscriptionGroup(client, broker, { groupName: failing, retryMaxTimes: 0 });
      const config = await subscriptionGroup(client, broker, failing);
      assert.deepEqual([config?.retryMaxTimes, config?.consumeEnable], [0, true], "the group as created, RocketMQ's defaults for the rest");

      const [failer, bystander] = await Promise.all([
        // ali-ons sends its own maxReconsumeTimes with each send-back, which wins over the group's retryMaxTimes.
        AliOnsProcess.start({ namesrv, topic: DLQ_TOPIC, group: failing, fail: true, maxReconsumeTimes: 0 }),
        AliOnsProcess.start({ namesrv, topic: DLQ_TOPIC, group: other }),
      ]);
      children.push(failer, bystander);
      const started = Date.now();
      const original = await sendMessage(client, namesrv, {
        topic: DLQ_TOPIC,
        body: `poison ${runId}`,
        tags: "Poison",
        keys: [`${runId}-poison`],
        properties: { origin: "console" },
      });
      await failer.waitFor(
        "the failing consumer to get the message",
        30_000,
        (e) => e.event === "message" && e.properties.UNIQ_KEY === original.msgId,
      );

      const dlq = `%DLQ%${failing}`;
      // The dead-letter topic exists once the broker dead-letters the message, and the name server routes it once
      // the broker registers it: until then, no route is "not yet".
      const dead = await eventually(`the message in ${dlq}`, 30_000, () =>
        viewMessageById(client, namesrv, dlq, original.msgId).catch((e: unknown) => {
          if (e instanceof NoNamesrvAnsweredError && e.failures.every((f) => f.includes(`has no route for topic ${dlq}`))) return undefined;
          throw e;
        }),
      );
      t.diagnostic(`dead-lettered ${Date.now() - started} ms after the send`);
      assert.deepEqual(
        [dead.topic, dead.msgId, dead.body.toString(), dead.tags, dead.keys, dead.properties.origin],
        [dlq, original.msgId, `poison ${runId}`, "Poison", [`${runId}-poison`], "console"],
      );
      assert.equal(dead.properties.RETRY_TOPIC, DLQ_TOPIC, "the broker notes where it came from");
      assert.equal(dead.reconsumeTimes, 1);
      assert.equal(dead.properties.ORIGIN_MESSAGE_ID, original.offsetMsgId);
      await failer.close();
      assert.equal(await totalLag(client, broker, failing, DLQ_TOPIC), 0, "the failed message counts as consumed");

      const resent = await resendDlqMessage(client, namesrv, failing, original.msgId);
      const retry = `%RETRY%${failing}`;
      assert.notEqual(resent.msgId, original.msgId, "a new message, with its own id");
      const copy = await eventually(`the copy in ${retry}`, 15_000, () => viewMessageById(client, namesrv, retry, resent.msgId));
      assert.deepEqual(
        [copy.topic, copy.body.toString(), copy.tags, copy.keys, copy.properties.origin, copy.properties.RETRY_TOPIC],
        [retry, `poison ${runId}`, "Poison", [`${runId}-poison`], "console", DLQ_TOPIC],
      );
      assert.equal(copy.properties.ORIGIN_MESSAGE_ID, original.offsetMsgId, "the copy still names the message it came from");
      assert.equal(copy.reconsumeTimes, 0);

      // The group, consuming successfully now, gets the message again as a message of the original topic.
      const healed = await AliOnsProcess.start({ namesrv, topic: DLQ_TOPIC, group: failing });
      children.push(healed);
      const redelivered = await healed.waitFor(
        "the group to get the resent message",
        30_000,
        (e): e is Extract<ClientEvent, { event: "message" }> => e.event === "message" && e.properties.UNIQ_KEY === resent.msgId,
      );
      assert.deepEqual(
        [redelivered.topic, redelivered.bodyStart, redelivered.properties.KEYS, redelivered.reconsumeTimes],
        [DLQ_TOPIC, `poison ${runId}`, `${runId}-poison`, 0],
      );
      t.diagnostic(`resent and consumed ${Date.now() - started} ms after the first send`);
      await healed.close();

      // The other group consumed the original once and nothing since.
      assert.deepEqual(
        bystander.messages().map((m) => m.properties.UNIQ_KEY),
        [original.msgId],
      );
      await bystander.close();
    });
  });
}

/** The child's side: an ali-ons consumer (and optionally a producer) that reports on stdout until told to close. */
async function runAliOnsClient(role: ClientRole): Promise<void> {
  interface AliOnsMessage {
    topic: string;
    msgId: string;
    body: Buffer;
    keys: string[];
    properties: Record<string, string>;
    reconsumeTimes: number;
    queueId: number;
    queueOffset: number;
  }
  interface AliOns {
    Producer: new (options: Record<string, unknown>) => {
      ready(): Promise<void>;
      send(m: AliOnsMessage): Promise<{ sendStatus: string; msgId: string }>;
      close(): Promise<void>;
    };
    Consumer: new (options: Record<string, unknown>) => {
      ready(): Promise<void>;
      subscribe(topic: string, expression: string, handler: (m: AliOnsMessage) => Promise<void>): void;
      on(event: "error", listener: (e: Error) => void): void;
      close(): Promise<void>;
    };
    Message: new (topic: string, tag: string, body: string) => AliOnsMessage;
  }
  const aliOns = createRequire(import.meta.url)("ali-ons") as AliOns;
  const emit = (e: ClientEvent) => process.stdout.write(`${JSON.stringify(e)}\n`);
  const quiet = { info() {}, warn() {}, debug() {}, error() {} };
  // With nameSrv set, the HTTP client (Alibaba Cloud's address server) is never used.
  const common = { nameSrv: role.namesrv, logger: quiet, httpclient: {}, persistConsumerOffsetInterval: 1000 };

  const producer = role.producer ? new aliOns.Producer({ ...common, producerGroup: role.producer.group }) : undefined;
  if (producer && role.producer) {
    await producer.ready();
    const message = new aliOns.Message(role.topic, "big", `${role.producer.bigKey} `.padEnd(role.producer.bigBytes, "x"));
    message.keys = [role.producer.bigKey];
    const result = await producer.send(message);
    emit({ event: "sent", msgId: result.msgId, sendStatus: result.sendStatus });
  }
  const consumer = new aliOns.Consumer({
    ...common,
    consumerGroup: role.group,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    maxReconsumeTimes: role.maxReconsumeTimes ?? 16,
    // A short long poll, so a reset offset is noticed within seconds.
    brokerSuspendMaxTimeMillis: 2000,
    consumerTimeoutMillisWhenSuspend: 10_000,
  });
  consumer.on("error", () => {});
  await consumer.ready();
  consumer.subscribe(role.topic, "*", async (m) => {
    const body = m.body.toString("utf8");
    emit({
      event: "message",
      topic: m.topic,
      msgId: m.msgId,
      properties: m.properties,
      reconsumeTimes: m.reconsumeTimes,
      queueId: m.queueId,
      queueOffset: m.queueOffset,
      bodyLength: m.body.length,
      bodyStart: body.slice(0, 64),
    });
    if (role.fail) throw new Error("failing on purpose");
  });
  emit({ event: "ready" });
  const safety = setTimeout(() => process.exit(3), 170_000);
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line !== "close") return;
    void (async () => {
      await consumer.close();
      await producer?.close();
      clearTimeout(safety);
      emit({ event: "closed" });
      process.exit(0);
    })();
  });
}
