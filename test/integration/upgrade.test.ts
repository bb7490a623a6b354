// The upgrade path: a 4.9.7 cluster's volumes taken over by the 5.5.0 images (compose/single.yml, the same project),
// as docs/operations.md tells users to do it. Every message written by 4.9.7 is read after the upgrade, and a
// consumer group's offsets are what they were. It is also the 4.9.7 single mode's test (rocketmq-4.test.ts runs
// the other 4.9.7 modes).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { docker, dockerAvailability, ensureImages, uniqueId } from "./harness.ts";
import { ClusterUnderTest, report } from "./cluster.ts";
import { consumeArgs } from "../clients/java-client.ts";
import { RemotingClient } from "../../src/remoting/connection.ts";
import { consumeStats } from "../../src/remoting/admin.ts";

const skip = await dockerAvailability();
const PROJECT = "rmqtest-upgrade";
const before = new ClusterUnderTest("single", { version: "4.9.7", networkNamesrv: "namesrv:9876", project: PROJECT });
const upgraded = new ClusterUnderTest("single", { version: "5.5.0", networkNamesrv: "namesrv:9876", project: PROJECT });
const TOPIC = "UpgradeTopic";
const GROUP = "upgrade-kept-offsets";
/** The consumer group the test client joins for --group GROUP. */
const CONSUMER_GROUP = `${GROUP}-consumer`;

/** The group's committed offset per queue ("broker/queue" → offset), asked of the broker the name server lists. */
async function offsets(cluster: ClusterUnderTest): Promise<Record<string, number>> {
  const address = (await cluster.topology()).brokers["broker-a"]?.addrs["0"];
  assert.ok(address, "no broker-a master registered");
  const client = new RemotingClient();
  try {
    const { queues } = await consumeStats(client, address, CONSUMER_GROUP, TOPIC);
    return Object.fromEntries(queues.map((q) => [`${q.brokerName}/${q.queueId}`, q.consumerOffset]));
  } finally {
    client.close();
  }
}

describe("upgrade: 4.9.7's volumes under the 5.5.0 images (single)", { skip }, () => {
  after(() => upgraded.down());

  test("every message written by 4.9.7 is read after the upgrade, and the group's offsets are kept", async () => {
    report(`single (RocketMQ 4.9.7): up in ${(await before.up()).toFixed(1)} s`);
    // The 4.9.7 image's own mqadmin, as users run it in the container.
    const listed = await docker("exec", before.container("broker"), "mqadmin", "clusterList", "-n", "namesrv:9876");
    assert.equal(listed.code, 0, listed.stdout + listed.stderr);
    assert.match(listed.stdout, /DefaultCluster\s+broker-a\s+0\s/);
    assert.doesNotMatch(listed.stdout + listed.stderr, /Exception|logback/i);
    await before.createTopic(TOPIC);
    const first = uniqueId("old");
    const sent = await before.client(["--topic", TOPIC, "--count", "500", "--mode", "send", "--run-id", first]);
    assert.match(sent.stdout, /SENT 500 ok=500\b/, sent.stdout + sent.stderr);
    // The group consumes the first 500; its offsets are committed when its client shuts down.
    const consumed = await before.client(consumeArgs(TOPIC, 500, first, GROUP));
    assert.match(consumed.stdout, /RECEIVED 500\b/, consumed.stdout + consumed.stderr);
    const second = uniqueId("new");
    const more = await before.client(["--topic", TOPIC, "--count", "200", "--mode", "send", "--run-id", second]);
    assert.match(more.stdout, /SENT 200 ok=200\b/, more.stdout + more.stderr);
    const kept = await offsets(before);
    assert.equal(
      Object.values(kept).reduce((a, b) => a + b, 0),
      500,
      JSON.stringify(kept),
    );

    // The procedure: stop cleanly keeping the volumes, then up with the new version.
    await before.project.ok("down", "-t", "60");
    await ensureImages(upgraded.version);
    const started = Date.now();
    await upgraded.project.ok("up", "-d", "--wait");
    report(`single: 4.9.7's volumes under 5.5.0, healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    assert.deepEqual(await offsets(upgraded), kept);
    // The group goes on from its offsets: the 200 it had not read; a new group reads the 500 written by 4.9.7.
    const resumed = await upgraded.client(consumeArgs(TOPIC, 200, second, GROUP));
    assert.match(resumed.stdout, /RECEIVED 200\b/, resumed.stdout + resumed.stderr);
    await upgraded.consumeAll(TOPIC, first, 500);
    const roundTrip = await upgraded.client([
      "--topic",
      TOPIC,
      "--count",
      "100",
      "--mode",
      "both",
      "--run-id",
      uniqueId("after"),
      "--group",
      uniqueId("after"),
    ]);
    assert.match(roundTrip.stdout, /RECEIVED 100\b/, roundTrip.stdout + roundTrip.stderr);
  });
});
