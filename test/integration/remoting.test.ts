// The TypeScript remoting client against a real name server and broker (started with the Testcontainers
// module): many requests on one connection, both header forms, a timeout while the broker is paused, and a
// new connection after the broker restarted.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { getContainerRuntimeClient } from "testcontainers";
import { RemotingClient, RemotingTimeoutError } from "../../src/remoting/connection.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { pauseRetryingFreezer } from "../../src/testcontainers/freezer.ts";
import { parseFastjson } from "../../src/remoting/fastjson.ts";
import { RocketMQContainer, type StartedRocketMQContainer } from "../../src/testcontainers/index.ts";
import { brokerConfig, brokerRuntimeInfo, consumeStats, haStatus, subscriptionGroups, topicList } from "../../src/remoting/admin.ts";
import { prepareJavaClient, runJavaClientOnHost, roundTripArgs } from "../clients/java-client.ts";
import { RemotingClusterSource } from "../../src/console/cluster-source.ts";
import { dockerAvailability, ensureImages, uniqueId } from "./harness.ts";

const skip = await dockerAvailability();

describe("remoting client against a real broker", { skip }, () => {
  let rocketmq: StartedRocketMQContainer;
  const client = new RemotingClient({ timeoutMs: 3000 });
  before(async () => {
    await Promise.all([ensureImages(), prepareJavaClient()]);
    rocketmq = await new RocketMQContainer().withTopics("AdminTopic").start();
  });
  after(async () => {
    client.close();
    await rocketmq?.stop();
  });

  test("100 requests at once on one connection per address all get their own answer", async () => {
    // Correctness, not speed: a broker that has just started answers 50 runtime-info requests slowly on a busy machine.
    const timeoutMs = 20_000;
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        i % 2
          ? client.request(rocketmq.getNamesrvAddr(), RequestCode.GET_BROKER_CLUSTER_INFO, { timeoutMs })
          : client.request(rocketmq.getBrokerAddr(), RequestCode.GET_BROKER_RUNTIME_INFO, { timeoutMs }),
      ),
    );
    answers.forEach((a, i) => {
      assert.equal(a.code, 0);
      const body = parseFastjson(a.body.toString("utf8")) as Record<string, unknown>;
      assert.ok(i % 2 ? "brokerAddrTable" in body : "table" in body, `answer ${i} is the one asked for`);
    });
  });

  test("a request with a binary (ROCKETMQ) header gets an answer", async () => {
    const r = await client.request(rocketmq.getBrokerAddr(), RequestCode.GET_BROKER_RUNTIME_INFO, { serializeType: "ROCKETMQ" });
    assert.equal(r.code, 0);
    assert.match(r.body.toString("utf8"), /"brokerVersionDesc":"V5_5_0"/);
  });

  test("admin reads: topics, runtime, config, consumer groups with per-queue lag, HA status", async () => {
    const runId = uniqueId("admin");
    const group = `${runId}-consumer`; // RoundTrip's consumer group is <--group>-consumer
    const r = await runJavaClientOnHost(roundTripArgs(rocketmq.getNamesrvAddr(), "AdminTopic", 50, runId));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const broker = rocketmq.getBrokerAddr();
    assert.ok((await topicList(client, rocketmq.getNamesrvAddr())).includes("AdminTopic"));
    assert.equal((await brokerRuntimeInfo(client, broker)).brokerVersionDesc, "V5_5_0");
    const config = await brokerConfig(client, broker);
    assert.equal(config.brokerName, "broker-a");
    assert.equal(config.listenPort, broker.split(":").pop());
    assert.ok((await subscriptionGroups(client, broker)).some((g) => g.groupName === group));
    // The consumer commits its offsets every few seconds.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const stats = await consumeStats(client, broker, group, "AdminTopic");
      const total = stats.queues.reduce((n, q) => n + q.brokerOffset, 0);
      const lag = stats.queues.reduce((n, q) => n + q.lag, 0);
      if (stats.queues.length === 4 && total >= 50 && lag === 0) break;
      if (Date.now() > deadline) assert.fail(`consume stats never showed 50 messages consumed: ${JSON.stringify(stats)}`);
      await new Promise((res) => setTimeout(res, 1000));
    }
    const ha = await haStatus(client, broker);
    assert.equal(ha.master, true);
    assert.deepEqual(ha.haConnectionInfo ?? [], []);
  });

  test("the console's cluster source: brokers with role and version, topics, topic creation", async () => {
    const source = new RemotingClusterSource(client, rocketmq.getNamesrvAddr(), 0);
    const overview = await source.overview();
    assert.equal(overview.brokers.length, 1);
    const broker = overview.brokers[0]!;
    assert.deepEqual(
      [broker.brokerName, broker.brokerId, broker.role, broker.address, broker.version],
      ["broker-a", 0, "master", rocketmq.getBrokerAddr(), "V5_5_0"],
    );
    assert.ok(broker.diskUsedRatio !== null && broker.diskUsedRatio > 0 && broker.diskUsedRatio < 1, JSON.stringify(broker));
    await source.createTopic("ConsoleTopic", 2);
    assert.ok((await source.topics()).includes("ConsoleTopic"));
  });

  test("a paused broker times the request out; after unpause the connection answers again", async () => {
    const docker = (await getContainerRuntimeClient()).container.dockerode.getContainer(rocketmq.getBrokerContainer().getId());
    await pauseRetryingFreezer(() => docker.pause());
    const consoleClient = new RemotingClient({ timeoutMs: 1000 });
    try {
      // Only the waits are timed: pausing and unpausing take the engine seconds on a busy machine.
      const started = Date.now();
      await assert.rejects(
        client.request(rocketmq.getBrokerAddr(), RequestCode.GET_BROKER_RUNTIME_INFO, { timeoutMs: 1000 }),
        RemotingTimeoutError,
      );
      assert.ok(Date.now() - started < 2500, `the request gave up after ${Date.now() - started} ms`);
      // The console's cluster page: the paused broker is shown with its error, within the timeout.
      const pageStarted = Date.now();
      const overview = await new RemotingClusterSource(consoleClient, rocketmq.getNamesrvAddr()).overview();
      assert.ok(Date.now() - pageStarted < 2500, `the page took ${Date.now() - pageStarted} ms`);
      assert.match(overview.brokers[0]!.error ?? "", /no answer .* within 1000 ms/);
    } finally {
      consoleClient.close();
      await docker.unpause();
    }
    assert.equal((await client.request(rocketmq.getBrokerAddr(), RequestCode.GET_BROKER_RUNTIME_INFO)).code, 0);
  });

  test("after the broker restarts, the client connects anew", async () => {
    await rocketmq.getBrokerContainer().restart();
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        assert.equal((await client.request(rocketmq.getBrokerAddr(), RequestCode.GET_BROKER_RUNTIME_INFO)).code, 0);
        return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  });
});
