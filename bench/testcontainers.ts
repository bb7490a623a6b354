// Application-test start-up, side by side in one run, each from its first call to the first message consumed by a
// real client (npm ali-ons, in a child process):
//  - "bare": the same Java runtime, jars, rendered arguments and config as RocketMQContainer's (name server 0.5 GiB,
//    broker 1 GiB), extracted from the images and started directly on this host, then the topic created: the floor;
//  - "container": `new RocketMQContainer().withTopics(…).start()`;
//  - "parallel3": three of those started at once (test files running in parallel), until all three have consumed;
//  - "bareParallel3": three by hand at once, on ports 10 apart: the floor for parallel3;
//  - "cluster2m2sAsync": `new RocketMQCluster("2m-2s-async").start()` (skipped with --skip-cluster).
// Runs alternate between the variants after one warm-up of each; medians, min and max.
//   node bench/testcontainers.ts [--runs 5] [--skip-cluster]
import { parseArgs } from "node:util";
import { rmSync } from "node:fs";
import { RocketMQCluster, RocketMQContainer } from "../src/testcontainers/index.ts";
import { buildImages } from "../src/images/build.ts";
import { splitNamesrvList } from "../src/remoting/address.ts";
import { waitForMasters } from "../src/remoting/cluster.ts";
import { createTopic } from "../src/remoting/topics.ts";
import { aliOnsRoundTrip } from "./clients/ali-ons-client.ts";
import { extractBare, startBare, whenLogged, type StartedBare } from "./host.ts";
import { machineLine, median, writeResult } from "./results.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, "skip-cluster": { type: "boolean", default: false } } });
const runs = Number(values.runs);
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
const TOPIC = "BenchTopic";

interface Run {
  /** Until start() resolved (for bare: the broker logged boot success and the topic is routed). */
  start: number;
  /** Until the first message was consumed (for parallel3: by all three). */
  firstMessage: number;
}

/** As the image's health check: the broker booted and its name server lists it; then the topic, as withTopics. */
async function bareReady(bare: StartedBare, namesrv: string): Promise<void> {
  await whenLogged(bare.broker, "boot success");
  await waitForMasters([namesrv], { timeoutMs: 60_000, intervalMs: 100 });
  await createTopic(namesrv, TOPIC);
}

async function consumeOne(namesrv: string, label: string): Promise<void> {
  const r = await aliOnsRoundTrip(namesrv, TOPIC, 1, `bench-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  if (r.received !== 1) throw new Error(`${label}: consumed ${r.received} messages`);
}

/** What a variant started: where its name server answers, and how to stop it. */
interface Started {
  namesrv: string;
  stop(): Promise<unknown>;
}

/**
 * Starts `count` side by side and consumes one message through each: `start` is when the last was started and its
 * topic routed, `firstMessage` when the last message was consumed. Whatever started is stopped, failure or not.
 */
async function sideBySide(label: string, count: number, start: (k: number) => Promise<Started>): Promise<Run> {
  const t0 = performance.now();
  let lastStarted = t0;
  const settled = await Promise.allSettled(
    Array.from({ length: count }, async (_, k) => {
      const started = await start(k);
      lastStarted = Math.max(lastStarted, performance.now());
      return started;
    }),
  );
  const started = settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  try {
    for (const r of settled) if (r.status === "rejected") throw r.reason;
    await Promise.all(started.map((s, k) => consumeOne(s.namesrv, `${label} ${k + 1}`)));
    return { start: (lastStarted - t0) / 1000, firstMessage: (performance.now() - t0) / 1000 };
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
}

async function startContainer(): Promise<Started> {
  const c = await new RocketMQContainer().withTopics(TOPIC).start();
  return { namesrv: c.getNamesrvAddr(), stop: () => c.stop() };
}

async function startCluster(): Promise<Started> {
  const c = await new RocketMQCluster("2m-2s-async").withTopics(TOPIC).start();
  return { namesrv: splitNamesrvList(c.getNamesrvAddr())[0]!, stop: () => c.stop() };
}

await buildImages();
console.log(`machine: ${machineLine()}`);
const extracted = extractBare(
  { namesrv: "rocketmq-appliance/namesrv:5.5.0", broker: "rocketmq-appliance/broker:5.5.0" },
  { namesrv: "512m", broker: "1g" },
);

/** Pair `k` of run `i` by hand, on ports 10·k above the defaults. */
async function startByHand(i: number, k: number): Promise<Started> {
  const bare = startBare(extracted, `run-${i}-${k}`, 10 * k);
  const namesrv = `127.0.0.1:${9876 + 10 * k}`;
  try {
    await bareReady(bare, namesrv);
  } catch (e) {
    await bare.stop();
    throw e;
  }
  return { namesrv, stop: () => bare.stop() };
}

const variants: Record<string, (i: number) => Promise<Run>> = {
  bare: (i) => sideBySide("bare", 1, (k) => startByHand(i, k)),
  container: () => sideBySide("container", 1, startContainer),
  bareParallel3: (i) => sideBySide("bare", 3, (k) => startByHand(i, k)),
  parallel3: () => sideBySide("parallel container", 3, startContainer),
};
if (!values["skip-cluster"]) variants.cluster2m2sAsync = () => sideBySide("cluster", 1, startCluster);
const results: Record<string, Run[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
try {
  for (const [name, once] of Object.entries(variants)) {
    await once(-1);
    console.log(`  warm-up ${name} done`);
  }
  for (let i = 0; i < runs; i++) {
    for (const [name, once] of Object.entries(variants)) {
      const r = await once(i);
      results[name]!.push(r);
      console.log(`  run ${i + 1} ${name}: start ${r.start.toFixed(1)} s, first message consumed ${r.firstMessage.toFixed(1)} s`);
    }
  }
} finally {
  rmSync(extracted.dir, { recursive: true, force: true });
}

const figures: Record<string, number> = { runs };
for (const [name, rs] of Object.entries(results)) {
  for (const [measure, pick] of [
    ["startSeconds", (r: Run) => r.start],
    ["firstMessageSeconds", (r: Run) => r.firstMessage],
  ] as const) {
    const xs = rs.map(pick);
    figures[`${name}.${measure}`] = median(xs);
    figures[`${name}.${measure}.min`] = Math.min(...xs);
    figures[`${name}.${measure}.max`] = Math.max(...xs);
    // Each against its floor: one container against one name server and broker by hand, three against three.
    const floor = { container: "bare", parallel3: "bareParallel3" }[name];
    if (floor) figures[`${name}.${measure}.ratioToBare`] = median(xs) / figures[`${floor}.${measure}`]!;
  }
}
for (const name of Object.keys(results)) {
  console.log(
    `${name}: median of ${runs}: start ${figures[`${name}.startSeconds`]!.toFixed(1)} s, first message ${figures[`${name}.firstMessageSeconds`]!.toFixed(1)} s` +
      (figures[`${name}.firstMessageSeconds.ratioToBare`] === undefined
        ? ""
        : ` (${figures[`${name}.firstMessageSeconds.ratioToBare`]!.toFixed(2)}× by hand)`),
  );
}
writeResult("testcontainers", figures);
process.exit(0);
