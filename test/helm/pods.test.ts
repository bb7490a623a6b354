// The chart's rendered pods run for real (test/helm/pods.ts): for the modes with failover promises, every pod
// becomes ready on its own probes, the official Java client round-trips 1000 messages through the name-server
// Service's name, and (2m-2s-sync) killing the master loses nothing acknowledged and its pod comes back as master.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RenderedCluster } from "./pods.ts";
import { missingTools } from "./chart.ts";
import { brokerIds, report, type Topology } from "../integration/cluster.ts";
import { dockerAvailability, dockerOk, ensureImages, eventually, uniqueId } from "../integration/harness.ts";
import { assertElectedGroup, zeroLossKillTest } from "../integration/modes.ts";

const missing = (await missingTools()) ?? (await dockerAvailability());
if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}: the chart's pods must run in CI`);

/** The mode's pods up, the expected broker ids, and 1000 messages through the name-server Service. */
function describeChartMode(
  mode: string,
  topology: (ids: Record<string, string[]>, t: Topology) => void,
  more: (cluster: RenderedCluster) => void,
): void {
  if (missing) {
    describe(`chart ${mode} (pods in Docker)`, { skip: missing }, () => {});
    return;
  }
  const cluster = new RenderedCluster(mode, ["--set", `mode=${mode}`]);
  describe(cluster.label, () => {
    before(async () => {
      await ensureImages();
      const seconds = await cluster.up();
      report(
        `${cluster.label}: ${cluster.pods.length} pods ready (readiness probes passed, liveness ports answer) in ${seconds.toFixed(1)} s`,
      );
    });
    after(() => cluster.down());

    test("the name servers list every broker of the mode with its id, at its pod's stable DNS name", async () => {
      const t = await eventually(async () => {
        const t = await cluster.topology();
        topology(brokerIds(t), t);
        return t;
      }, 30_000);
      for (const b of Object.values(t.brokers)) {
        for (const address of Object.values(b.addrs))
          assert.match(address, /^rmq-rocketmq-broker-[a-z0-9-]+-0\.rmq-rocketmq-broker\.mq\.svc\.cluster\.local:10911$/);
      }
    });
    test(`the official Java client in a pod round-trips 1000 messages through ${cluster.namesrvService}`, async () => {
      const runId = uniqueId("helm");
      const r = await cluster.client([
        "--topic",
        "ChartTopic",
        "--count",
        "1000",
        "--mode",
        "both",
        "--run-id",
        runId,
        "--group",
        runId,
        "--create-topic",
      ]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /SENT 1000 ok=\d+/);
      assert.match(r.stdout, /RECEIVED 1000\b/);
    });
    more(cluster);
  });
}

const PAIRS = { "broker-a": ["0", "1"], "broker-b": ["0", "1"] };

describeChartMode(
  "2m-2s-sync",
  (ids) => assert.deepEqual(ids, PAIRS),
  (cluster) => {
    const master = "rmq-rocketmq-broker-a-0";
    zeroLossKillTest(cluster, master, () => cluster.createTopic("ZeroLossTopic"));
    test("the killed master's pod starts again on its volume, becomes ready and serves as master again", async () => {
      await cluster.restart(master);
      const t = await eventually(async () => {
        const t = await cluster.topology();
        assert.equal(cluster.podOf(t.brokers["broker-a"]?.addrs["0"] ?? ""), master);
        return t;
      }, 60_000);
      report(`${cluster.label}: ${master} back as master of broker-a (${JSON.stringify(t.brokers["broker-a"]?.addrs)})`);
    });
  },
);

// Elections themselves (kill, pause, partition of the master) are the compose modes' chaos schedule, on the same
// images and configurator; here, each group of three elects a master from its pods' own addresses.
describeChartMode("dledger", assertElectedGroup, () => {});

describeChartMode("controller", assertElectedGroup, () => {});
