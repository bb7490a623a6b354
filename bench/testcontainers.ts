// Time from `new RocketMQContainer().start()` (and `new RocketMQCluster("2m-2s-async").start()`) to the first
// message consumed by a real client (npm ali-ons, in a child process), median of N runs; with the machine.
//   node bench/testcontainers.ts [--runs 5] [--skip-cluster]
import { parseArgs } from "node:util";
import { RocketMQCluster, RocketMQContainer } from "../src/testcontainers/index.ts";
import { buildImages } from "../src/images/build.ts";
import { splitNamesrvList } from "../src/remoting/address.ts";
import { aliOnsRoundTrip } from "./clients/ali-ons-client.ts";
import { machineLine, median, writeResult } from "./results.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, "skip-cluster": { type: "boolean", default: false } } });
const runs = Number(values.runs);
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

await buildImages();
console.log(`machine: ${machineLine()}`);
const figures: Record<string, number> = { runs };

interface Run {
  start: number;
  firstMessage: number;
}

async function measure(label: string, key: string, once: () => Promise<{ namesrv: string; stop: () => Promise<unknown> }>): Promise<void> {
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = Date.now();
    const started = await once();
    const t1 = Date.now();
    const r = await aliOnsRoundTrip(started.namesrv, "BenchTopic", 1, `bench-${Date.now()}`);
    const t2 = Date.now();
    await started.stop();
    if (r.received !== 1) throw new Error(`${label}: run ${i + 1} consumed ${r.received} messages`);
    results.push({ start: (t1 - t0) / 1000, firstMessage: (t2 - t0) / 1000 });
    console.log(
      `  ${label} run ${i + 1}: start() ${results.at(-1)!.start.toFixed(1)} s, first message consumed after ${results.at(-1)!.firstMessage.toFixed(1)} s`,
    );
  }
  figures[`${key}.startSeconds`] = median(results.map((r) => r.start));
  figures[`${key}.firstMessageSeconds`] = median(results.map((r) => r.firstMessage));
  console.log(
    `${label}: median of ${runs}: start() ${median(results.map((r) => r.start)).toFixed(1)} s, ` +
      `first message consumed ${median(results.map((r) => r.firstMessage)).toFixed(1)} s after start() was called`,
  );
}

await measure("RocketMQContainer", "container", async () => {
  const c = await new RocketMQContainer().withTopics("BenchTopic").start();
  return { namesrv: c.getNamesrvAddr(), stop: () => c.stop() };
});
if (!values["skip-cluster"]) {
  await measure("RocketMQCluster 2m-2s-async", "cluster2m2sAsync", async () => {
    const c = await new RocketMQCluster("2m-2s-async").withTopics("BenchTopic").start();
    return { namesrv: splitNamesrvList(c.getNamesrvAddr())[0]!, stop: () => c.stop() };
  });
}
writeResult("testcontainers", figures);
process.exit(0);
