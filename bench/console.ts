// The console's figures: image size, idle memory of the image, and how long the topic and group pages take with
// 2,000 topics and 2,000 consumer groups on a real broker (first load and cached), plus a page while the broker
// is paused (bounded by the request timeout); then the image's memory with the charts' rings allocated for every
// topic and group, and while a 100,000-message topic is browsed by time page after page.
//   node bench/console.ts [-- --topics 2000 --groups 2000 --messages 100000]
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
import { sendMessage } from "../src/remoting/messages.ts";
import { topicConfigFields } from "../src/remoting/topics.ts";
import { machineLine, writeResult } from "./results.ts";

const { values } = parseArgs({
  options: {
    topics: { type: "string", default: "2000" },
    groups: { type: "string", default: "2000" },
    messages: { type: "string", default: "100000" },
  },
});
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
  runConsole(name, 18182, rocketmq.getNamesrvAddr());
  await new Promise((r) => setTimeout(r, 5000));
  const rss = rssKiB(name);
  figures.idleRssMiB = Math.round(rss / 1024);
  console.log(
    `console container idle: RSS ${(rss / 1024).toFixed(1)} MiB (VmRSS of PID 1), docker stats ${docker("stats", "--no-stream", "--format", "{{.MemUsage}}", name)}`,
  );
  docker("rm", "-f", name);

  const broker = rocketmq.getBrokerAddr();
  const t0 = Date.now();
  await mapLimit(
    Array.from({ length: Number(values.topics) }, (_, i) => `BenchTopic${i}`),
    16,
    (topic) => client.request(broker, RequestCode.UPDATE_AND_CREATE_TOPIC, { extFields: topicConfigFields(topic) }),
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
  await historyAndBrowsing(rocketmq.getNamesrvAddr(), broker);
  writeResult("console", figures);
} finally {
  client.close();
  await rocketmq.stop();
}

/** The console image on the host's network, logging in as admin with bench-password. */
function runConsole(name: string, port: number, namesrv: string, env: Record<string, string> = {}): void {
  const variables = { NAMESRV_ADDR: namesrv, CONSOLE_PORT: String(port), CONSOLE_PASSWORD: "bench-password", ...env };
  docker(
    "run",
    "-d",
    "--name",
    name,
    "--network",
    "host",
    ...Object.entries(variables).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    CONSOLE_IMAGE,
  );
}

/** VmRSS of a container's PID 1, in KiB. */
function rssKiB(container: string): number {
  const pid = docker("inspect", "-f", "{{.State.Pid}}", container);
  return Number(/VmRSS:\s+(\d+) kB/.exec(execFileSync("cat", [`/proc/${pid}/status`], { encoding: "utf8" }))?.[1]);
}

/**
 * The console image sampling the charts every 5 s (rings of the default 1440 points, allocated in full at a
 * series' first value) over the topics and groups made above, then browsing a topic of `--messages` messages
 * by time, 100 a page, for 50 pages: its memory at each step.
 */
async function historyAndBrowsing(namesrv: string, broker: string): Promise<void> {
  const topic = "BenchBigTopic";
  const total = Number(values.messages);
  await client.request(broker, RequestCode.UPDATE_AND_CREATE_TOPIC, { extFields: topicConfigFields(topic, { queues: 8 }) });
  const sendStart = Date.now();
  await mapLimit(
    Array.from({ length: total }, (_, i) => i),
    64,
    (i) => sendMessage(client, [namesrv], { topic, keys: [`big-${i}`], body: `message ${i} ${"x".repeat(200)}` }),
  );
  const sendEnd = Date.now();
  console.log(`sent ${total} messages of ~210 bytes to ${topic} in ${((sendEnd - sendStart) / 1000).toFixed(1)} s`);

  const name = `console-bench-history-${Date.now()}`;
  const port = 18183;
  runConsole(name, port, namesrv, { CONSOLE_HISTORY_INTERVAL_SECONDS: "5", CONSOLE_REQUEST_TIMEOUT_MS: "10000" });
  try {
    const base = `http://127.0.0.1:${port}`;
    let cookie = "";
    for (let i = 0; i < 60 && !cookie; i++) {
      const r = await fetch(`${base}/api/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user: "admin", password: "bench-password" }),
      }).catch(() => undefined);
      if (r?.ok) cookie = (r.headers.get("set-cookie") ?? "").split(";")[0]!;
      else await new Promise((r) => setTimeout(r, 500));
    }
    const get = async <T>(path: string): Promise<T> => {
      const r = await fetch(`${base}${path}`, { headers: { cookie } });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as T;
    };
    // Every topic gets its ring at its second sample (a rate needs two), every group at its first.
    let series = 0;
    for (let stable = 0, i = 0; stable < 3 && i < 60; i++) {
      await new Promise((r) => setTimeout(r, 5000));
      const now = (await get<{ series: number }>("/api/history?minutes=5")).series;
      stable = now === series && now > 0 ? stable + 1 : 0;
      series = now;
    }
    figures.historySeries = series;
    figures.historyRssMiB = Math.round(rssKiB(name) / 1024);
    console.log(`history: ${series} series of 1440 points; RSS ${figures.historyRssMiB} MiB (idle, no history: ${figures.idleRssMiB} MiB)`);

    let cursor: string | null | undefined;
    let shown = 0;
    let maxRss = 0;
    const pageMs: number[] = [];
    for (let page = 0; page < 50; page++) {
      const query = new URLSearchParams({
        begin: String(sendStart - 1000),
        end: String(sendEnd + 1000),
        pageSize: "100",
        ...(cursor ? { cursor } : {}),
      });
      const started = performance.now();
      const r = await get<{ total: number; messages: unknown[]; cursor: string | null }>(`/api/topics/${topic}/messages?${query}`);
      pageMs.push(performance.now() - started);
      shown += r.messages.length;
      cursor = r.cursor;
      maxRss = Math.max(maxRss, rssKiB(name));
      if (!cursor) break;
    }
    pageMs.sort((a, b) => a - b);
    figures.browseMessages = total;
    figures.browseShown = shown;
    figures.browsePageMedianMs = Math.round(pageMs[Math.floor(pageMs.length / 2)]!);
    figures.browseRssMiB = Math.round(maxRss / 1024);
    console.log(
      `browsed ${shown} of ${total} messages by time, 100 a page: median ${figures.browsePageMedianMs} ms a page; RSS at most ${figures.browseRssMiB} MiB`,
    );
  } finally {
    docker("rm", "-f", name);
  }
}
