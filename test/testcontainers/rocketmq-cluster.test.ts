// RocketMQCluster: a compose mode as a testcontainers environment, with per-node handles for failover tests.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RocketMQCluster, type StartedRocketMQCluster } from "../../src/testcontainers/index.ts";
import { consumeArgs, prepareJavaClient, runJavaClientOnHost } from "../clients/java-client.ts";
import { report } from "../integration/cluster.ts";
import { PUBLISH_ADDR, dockerAvailability, ensureImages, eventually, uniqueId } from "../integration/harness.ts";
import { request } from "../../src/remoting/client.ts";
import { RequestCode } from "../../src/remoting/codes.ts";

const skip = await dockerAvailability();
describe("RocketMQCluster 2m-2s-sync", { skip }, () => {
  let cluster: StartedRocketMQCluster;
  before(async () => {
    await Promise.all([ensureImages(), prepareJavaClient()]);
    const started = Date.now();
    // On its lane's address (test/lanes.ts), beside the other lane's clusters.
    cluster = await new RocketMQCluster("2m-2s-sync").withPublishAddress(PUBLISH_ADDR).withTopics("FailoverTopic").start();
    report(`testcontainers: RocketMQCluster 2m-2s-sync started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
  after(() => cluster?.stop());

  test("the name servers list two masters and two slaves, and the nodes are named after the compose services", async () => {
    const info = await cluster.clusterInfo();
    const ids = Object.fromEntries(
      Object.entries(info.brokerAddrTable ?? {}).map(([name, b]) => [name, Object.keys(b.brokerAddrs ?? {}).sort()]),
    );
    assert.deepEqual(ids, { "broker-a": ["0", "1"], "broker-b": ["0", "1"] });
    assert.deepEqual(
      cluster.nodes().map((n) => n.service),
      ["broker-a", "broker-a-s", "broker-b", "broker-b-s", "console", "namesrv-1", "namesrv-2"],
    );
    assert.equal((await cluster.masterOf("broker-a")).service, "broker-a");
    assert.equal(cluster.getNamesrvAddr(), `${PUBLISH_ADDR}:9876;${PUBLISH_ADDR}:9877`);
  });

  test("with master broker-a killed, its slave serves the messages it held", async () => {
    const runId = uniqueId("failover");
    const namesrv = cluster.getNamesrvAddr();
    const sent = await runJavaClientOnHost([
      "--namesrv",
      namesrv,
      "--topic",
      "FailoverTopic",
      "--count",
      "600",
      "--mode",
      "send",
      "--run-id",
      runId,
    ]);
    assert.match(sent.stdout, /SENT 600 ok=600/, sent.stdout + sent.stderr);
    const onA =
      (JSON.parse(/SEND_STATS (\{.*\})/.exec(sent.stdout)![1]!) as { byBroker: Record<string, number> }).byBroker["broker-a"] ?? 0;
    assert.ok(onA > 0, "some messages went to broker-a");

    // The slave serves a topic's reads once it knows the topic (created on it too; 4.x copies it from the master).
    const slave = cluster.node("broker-a-s");
    await eventually(
      async () => {
        const r = await request(`${slave.ipAddresses()[0]}:11011`, RequestCode.GET_ALL_TOPIC_CONFIG);
        assert.ok(r.body.toString("utf8").includes('"FailoverTopic"'));
      },
      90_000,
      1000,
    );

    await cluster.node("broker-a").kill();
    const consumed = await runJavaClientOnHost(["--namesrv", namesrv, ...consumeArgs("FailoverTopic", 600, runId, uniqueId("g"))]);
    assert.equal(consumed.code, 0, consumed.stdout + consumed.stderr);
    assert.match(consumed.stdout, /RECEIVED 600\b/);
    report(`testcontainers: RocketMQCluster 2m-2s-sync: broker-a killed, all 600 messages consumed (${onA} of them from broker-a's slave)`);
  });

  test("a killed node starts again and is healthy; a paused node answers nothing until it is unpaused", async () => {
    const master = cluster.node("broker-a");
    await master.start();
    await eventually(async () => assert.equal((await cluster.masterOf("broker-a")).service, "broker-a"), 60_000);
    const slave = cluster.node("broker-b-s");
    const address = `${slave.ipAddresses()[0]}:12011`;
    await slave.pause();
    // The kernel still accepts the connection; the frozen JVM never answers it.
    await assert.rejects(
      request(address, RequestCode.GET_BROKER_RUNTIME_INFO, { timeoutMs: 1000 }),
      /no answer to request code 28 within 1000 ms/,
    );
    await slave.unpause();
    assert.equal((await request(address, RequestCode.GET_BROKER_RUNTIME_INFO, { timeoutMs: 10_000 })).code, 0);
    await slave.start(); // a running node: nothing to do
  });
});
