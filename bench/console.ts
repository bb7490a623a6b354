// The console's figures: image size, idle memory of the image, and how long the topic and group pages take with
// 2,000 topics and 2,000 consumer groups on a real broker (first load and cached), plus a page while the broker
// is paused (bounded by the request timeout).
//   node bench/console.ts [-- --topics 2000 --groups 2000]
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { RocketMQContainer } from "../src/testcontainers/index.ts";
import { buildImages } from "../src/images/build.ts";
import { CONSOLE_IMAGE } from "../src/images/console.ts";
import { buildConsole } from "../src/console/app.ts";
import { RemotingClusterSource } from "../src/console/cluster-source.ts";
import { RemotingClient } from "../src/remoting/connection.ts";
import { RequestCode } from "../src/remoting/codes.ts";
import { mapLimit } from "../src/remoting/limit.ts";
import { machineLine, writeResult } from "./results.ts";

const { values } = parseArgs({ options: { topics: { type: "string", default: "2000" }, groups: { type: "string", default: "2000" } } });
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();

await buildImages();
console.log(`machine: ${machineLine()}`);
const figures: Record<string, number> = { topics: Number(values.topics), groups: Number(values.groups) };
figures.imageMegabytes = Math.round(Number(docker("image", "inspect", "-f", "{{.Size}}", CONSOLE_IMAGE)) / 1e6);
console.log(`console image: ${figures.imageMegabytes} MB`);

const rocketmq = await new RocketMQContainer().start();
const client = new RemotingClient({ timeoutMs: 10_000 });
try {
  // Idle memory of the image itself, against this broker.
  const name = `console-bench-${Date.now()}`;
  docker(
    "run",
    "-d",
    "--name",
    name,
    "--network",
    "host",
    "-e",
    `NAMESRV_ADDR=${rocketmq.getNamesrvAddr()}`,
    "-e",
    "CONSOLE_PORT=18182",
    "-e",
    "CONSOLE_PASSWORD=bench-password",
    CONSOLE_IMAGE,
  );
  await new Promise((r) => setTimeout(r, 5000));
  const pid = docker("inspect", "-f", "{{.State.Pid}}", name);
  const rss = /VmRSS:\s+(\d+) kB/.exec(execFileSync("cat", [`/proc/${pid}/status`], { encoding: "utf8" }))?.[1];
  figures.idleRssMiB = Math.round(Number(rss) / 1024);
  console.log(
    `console container idle: RSS ${(Number(rss) / 1024).toFixed(1)} MiB (VmRSS of PID 1), docker stats ${docker("stats", "--no-stream", "--format", "{{.MemUsage}}", name)}`,
  );
  docker("rm", "-f", name);

  const broker = rocketmq.getBrokerAddr();
  const t0 = Date.now();
  await mapLimit(
    Array.from({ length: Number(values.topics) }, (_, i) => `BenchTopic${i}`),
    16,
    (topic) =>
      client.request(broker, RequestCode.UPDATE_AND_CREATE_TOPIC, {
        extFields: {
          topic,
          defaultTopic: "TBW102",
          readQueueNums: "4",
          writeQueueNums: "4",
          perm: "6",
          topicFilterType: "SINGLE_TAG",
          topicSysFlag: "0",
          order: "false",
          attributes: "+message.type=NORMAL",
        },
      }),
  );
  await mapLimit(
    Array.from({ length: Number(values.groups) }, (_, i) => `BenchGroup${i}`),
    16,
    (groupName) =>
      client.request(broker, RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {
        body: Buffer.from(
          JSON.stringify({
            groupName,
            consumeEnable: true,
            retryQueueNums: 1,
            retryMaxTimes: 16,
            brokerId: 0,
            whichBrokerWhenConsumeSlowly: 1,
          }),
        ),
      }),
  );
  console.log(
    `created ${values.topics} topics and ${values.groups} groups in ${((Date.now() - t0) / 1000).toFixed(1)} s; waiting for the name server to list them`,
  );
  await new Promise((r) => setTimeout(r, 35_000)); // the broker re-registers its topics every 30 s

  const app = buildConsole({
    config: { user: "admin", password: "bench-password", readOnly: false, sessionHours: 1 },
    source: new RemotingClusterSource(new RemotingClient({ timeoutMs: 1000 }), rocketmq.getNamesrvAddr()),
  });
  const login = await app.inject({ method: "POST", url: "/api/login", payload: { user: "admin", password: "bench-password" } });
  const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
  const time = async (url: string, expectOk = true) => {
    const started = performance.now();
    const r = await app.inject({ url, headers: { cookie } });
    if (expectOk && r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
    return { ms: performance.now() - started, total: (r.json() as { total?: number }).total, status: r.statusCode };
  };
  for (const [key, url] of [
    ["topicsPage", "/api/topics?page=1&pageSize=50"],
    ["topicsSearch", "/api/topics?search=BenchTopic19&page=2&pageSize=50"],
    ["groupsPage", "/api/groups?page=1&pageSize=50"],
    ["groupsLastPage", "/api/groups?page=40&pageSize=50"],
  ] as const) {
    const first = await time(url);
    const again = await time(url);
    figures[`${key}.firstMs`] = Math.round(first.ms);
    figures[`${key}.cachedMs`] = Math.round(again.ms);
    console.log(`${url}: ${first.total} in all; first load ${first.ms.toFixed(0)} ms, again ${again.ms.toFixed(0)} ms`);
  }
  docker("pause", rocketmq.getBrokerContainer().getId());
  await new Promise((r) => setTimeout(r, 2500)); // past the cache
  const paused = await time("/api/cluster", false);
  docker("unpause", rocketmq.getBrokerContainer().getId());
  console.log(`/api/cluster with the broker paused (request timeout 1000 ms): HTTP ${paused.status} in ${paused.ms.toFixed(0)} ms`);
  figures.pausedBrokerClusterPageMs = Math.round(paused.ms);
  await app.close();
  writeResult("console", figures);
} finally {
  client.close();
  await rocketmq.stop();
}
