// Time from `new RocketMQContainer().start()` (and `new RocketMQCluster("2m-2s-async").start()`) to the first
// message consumed by a real client (npm ali-ons, in a child process), median of N runs; with the machine.
//   npm run bench [-- --runs 5] [--skip-cluster]
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { RocketMQCluster, RocketMQContainer } from "../src/testcontainers/index.ts";
import { buildImages } from "../src/images/build.ts";
import { splitNamesrvList } from "../src/remoting/address.ts";
import { aliOnsRoundTrip } from "./clients/ali-ons-client.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, "skip-cluster": { type: "boolean", default: false } } });
const runs = Number(values.runs);
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

await buildImages();
const engine = execFileSync("docker", ["info", "--format", "{{.ServerVersion}}, {{.Driver}}, cgroup v{{.CgroupVersion}}"], {
  encoding: "utf8",
}).trim();
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Docker ${engine}, Node ${process.version}`,
);

interface Run {
  start: number;
  firstMessage: number;
}

async function measure(label: string, once: () => Promise<{ namesrv: string; stop: () => Promise<unknown> }>): Promise<void> {
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
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `${label}: median of ${runs}: start() ${median(results.map((r) => r.start)).toFixed(1)} s, ` +
      `first message consumed ${median(results.map((r) => r.firstMessage)).toFixed(1)} s after start() was called`,
  );
}

await measure("RocketMQContainer", async () => {
  const c = await new RocketMQContainer().withTopics("BenchTopic").start();
  return { namesrv: c.getNamesrvAddr(), stop: () => c.stop() };
});
if (!values["skip-cluster"]) {
  await measure("RocketMQCluster 2m-2s-async", async () => {
    const c = await new RocketMQCluster("2m-2s-async").withTopics("BenchTopic").start();
    return { namesrv: splitNamesrvList(c.getNamesrvAddr())[0]!, stop: () => c.stop() };
  });
}
process.exit(0);
