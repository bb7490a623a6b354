// How long a slave of a master/slave mode (compose/2m-2s-sync.yml) takes to learn what was written to its master
// alone, as RocketMQ's own tools write it (`mqadmin updateTopic -c`, `updateSubGroup -c`, and every consumer
// committing its offsets): a topic, a subscription group, a consumer offset. Until then a failover to the slave
// leaves the topic unreadable there, and consumers reading from it start from older offsets (duplicates).
// RocketMQ copies them with SlaveSynchronize: every 10 s on 4.x, at most once a minute on 5.x; no key changes
// either period. Each run writes all three to the masters at once, then polls every slave every 250 ms.
//   node bench/slave-sync.ts [-- --runs 3 --versions 5.5.0,4.9.7]
import { parseArgs } from "node:util";
import { ComposeProject } from "../test/integration/harness.ts";
import { ensureImages } from "../test/integration/harness.ts";
import { brokersOf, clusterInfo } from "../src/remoting/cluster.ts";
import { RemotingClient } from "../src/remoting/connection.ts";
import { RequestCode } from "../src/remoting/codes.ts";
import { subscriptionGroup } from "../src/remoting/admin.ts";
import { topicConfigFields } from "../src/remoting/topics.ts";
import { machineLine, median, writeResult } from "./results.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, versions: { type: "string", default: "5.5.0,4.9.7" } } });
const POLL_MS = 250;
const GIVE_UP_MS = 180_000;

const client = new RemotingClient({ timeoutMs: 5000 });
const figures: Record<string, number> = { runs: Number(values.runs) };
console.log(`machine: ${machineLine()}`);

const ok = async (address: string, code: number, options: Parameters<RemotingClient["request"]>[2]) => {
  const r = await client.request(address, code, options);
  if (r.code !== 0) throw new Error(`${address} refused request ${code}: ${r.code} ${r.remark ?? ""}`);
  return r;
};

/** Milliseconds from `since` until `check` passes, polled every POLL_MS. */
async function until(since: number, check: () => Promise<boolean>): Promise<number> {
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - since;
    if (Date.now() - since > GIVE_UP_MS) throw new Error(`not within ${GIVE_UP_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

try {
  for (const version of values.versions.split(",")) {
    await ensureImages(version);
    const project = new ComposeProject(`rmqbench-slavesync-${version.replace(/\./g, "")}`, "2m-2s-sync", {
      env: { ROCKETMQ_VERSION: version },
    });
    await project.run("down", "-v", "--remove-orphans", "-t", "1");
    await project.ok("up", "-d", "--wait");
    try {
      const members = brokersOf(await clusterInfo("localhost:9876", undefined));
      const masters = members.filter((m) => m.brokerId === 0);
      const slaves = members.filter((m) => m.brokerId !== 0);
      // Does a slave take a topic written to it directly (what this project's own paths do)?
      const direct = await client.request(slaves[0]!.address, RequestCode.UPDATE_AND_CREATE_TOPIC, {
        extFields: topicConfigFields("SyncProbeDirect"),
      });
      figures[`${version}.slaveTakesTopicWrites`] = direct.code === 0 ? 1 : 0;
      const windows: Record<"topic" | "group" | "offset", number[]> = { topic: [], group: [], offset: [] };
      for (let run = 0; run < Number(values.runs); run++) {
        const topic = `SyncProbe${Date.now()}`;
        const group = `SyncProbeGroup${Date.now()}`;
        // Written as mqadmin writes them: to the masters alone.
        for (const m of masters) {
          await ok(m.address, RequestCode.UPDATE_AND_CREATE_TOPIC, { extFields: topicConfigFields(topic) });
          await ok(m.address, RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {
            body: Buffer.from(JSON.stringify({ groupName: group, consumeEnable: true, retryQueueNums: 1, retryMaxTimes: 16, brokerId: 0 })),
          });
          await ok(m.address, RequestCode.UPDATE_CONSUMER_OFFSET, {
            extFields: { consumerGroup: group, topic, queueId: "0", commitOffset: "7" },
          });
        }
        const since = Date.now();
        const perSlave = await Promise.all(
          slaves.map(async (s) => ({
            topic: await until(
              since,
              async () => (await client.request(s.address, RequestCode.GET_TOPIC_STATS_INFO, { extFields: { topic } })).code === 0,
            ),
            group: await until(since, async () => (await subscriptionGroup(client, s.address, group)) !== undefined),
            offset: await until(since, async () => {
              const r = await client.request(s.address, RequestCode.QUERY_CONSUMER_OFFSET, {
                extFields: { consumerGroup: group, topic, queueId: "0" },
              });
              return r.code === 0 && r.extFields?.offset === "7";
            }),
          })),
        );
        for (const kind of ["topic", "group", "offset"] as const) windows[kind].push(Math.max(...perSlave.map((p) => p[kind])));
        console.log(
          `RocketMQ ${version}, run ${run + 1}: every slave had the topic after ${(windows.topic.at(-1)! / 1000).toFixed(1)} s, the group after ${(windows.group.at(-1)! / 1000).toFixed(1)} s, the offset after ${(windows.offset.at(-1)! / 1000).toFixed(1)} s`,
        );
      }
      for (const [kind, ms] of Object.entries(windows)) {
        figures[`${version}.${kind}.medianSeconds`] = Number((median(ms) / 1000).toFixed(1));
        figures[`${version}.${kind}.maxSeconds`] = Number((Math.max(...ms) / 1000).toFixed(1));
        figures[`${version}.${kind}.minSeconds`] = Number((Math.min(...ms) / 1000).toFixed(1));
      }
    } finally {
      await project.run("down", "-v", "--remove-orphans", "-t", "1");
    }
  }
  writeResult("slave-sync", figures);
} finally {
  client.close();
}
