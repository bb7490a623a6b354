// compose/single.yml and `docker run`, end to end: real images, a real Docker engine, the official Java client.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, chmodSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import {
  ComposeProject,
  PUBLISH_ADDR,
  docker,
  dockerAvailability,
  dockerOk,
  ensureImages,
  eventually,
  onHost,
  uniqueId,
} from "./harness.ts";
import { ClusterUnderTest, report } from "./cluster.ts";
import { consoleLogin, generatedPassword } from "./console.ts";
import { chaosScheduleTest } from "./modes.ts";
import { prepareJavaClient, runJavaClientOnHost, javaClientContainerCommand, roundTripArgs, consumeArgs } from "../clients/java-client.ts";
import { aliOnsRoundTrip } from "../../bench/clients/ali-ons-client.ts";
import { request } from "../../src/remoting/client.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { clusterInfo } from "../../src/remoting/cluster.ts";

const skip = await dockerAvailability();
const project = new ComposeProject("rmqtest-single", "single");
const broker = project.container("broker");
const namesrv = project.container("namesrv");
const BROKER_IMAGE = "rocketmq-appliance/broker:latest";
/** The broker of the full-disk test, on a small store of its own. */
const DISK_BROKER = "rmqtest-broker-disk";

async function containerRoundTrip(network: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { binds, cmd } = javaClientContainerCommand(args);
  return docker(
    "run",
    "--rm",
    "--network",
    network,
    ...binds.flatMap((b) => ["-v", b]),
    "--entrypoint",
    cmd[0]!,
    BROKER_IMAGE,
    ...cmd.slice(1),
  );
}

async function waitHealthy(container: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await dockerOk("inspect", "-f", "{{.State.Health.Status}}", container)).trim();
    if (status === "healthy") return;
    if (Date.now() > deadline) {
      const logs = await docker("logs", "--tail", "40", container);
      throw new Error(`${container} is ${status} after ${timeoutMs} ms\n${logs.stdout}${logs.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The address the name server (the single mode's, or `namesrv`) lists for `brokerName`'s master. */
async function masterAddress(brokerName: string, namesrv = onHost(9876)): Promise<string> {
  const table = (await clusterInfo(namesrv)).brokerAddrTable ?? {};
  const address = table[brokerName]?.brokerAddrs?.["0"];
  assert.ok(address, `${brokerName} is not registered: ${JSON.stringify(table)}`);
  return address;
}

/**
 * The full-disk test's broker, started with the cluster: RocketMQ first checks its disk a minute after its start,
 * and that minute passes while the other tests run. On a small store of its own (a 128 MiB tmpfs; commit log and
 * index files sized to fit it), it joins the name server as broker-disk.
 */
async function startDiskBroker(): Promise<void> {
  await docker("rm", "-f", DISK_BROKER);
  await dockerOk(
    "run",
    "-d",
    "--name",
    DISK_BROKER,
    "--network",
    project.network,
    "--memory",
    "1536m",
    "--tmpfs",
    "/home/rocketmq/store:rw,size=128m,uid=3000,gid=3000,mode=0750",
    "-e",
    "NAMESRV_ADDR=namesrv:9876",
    "-e",
    "BROKER_NAME=broker-disk",
    // A cluster of its own, no topic made on the fly: the other tests' messages stay off its small store.
    "-e",
    "BROKER_CLUSTER_NAME=DiskCluster",
    "-e",
    "RMQ_BROKER_autoCreateTopicEnable=false",
    "-e",
    "LISTEN_PORT=30911",
    "-e",
    "RMQ_BROKER_mappedFileSizeCommitLog=16777216",
    "-e",
    "RMQ_BROKER_maxHashSlotNum=100000",
    "-e",
    "RMQ_BROKER_maxIndexNum=400000",
    BROKER_IMAGE,
  );
}

describe("single mode (compose/single.yml)", { skip }, () => {
  before(async () => {
    await Promise.all([ensureImages(), prepareJavaClient()]);
    await project.run("down", "-v", "--remove-orphans", "-t", "1");
    const started = Date.now();
    await project.ok("up", "-d", "--wait");
    process.stdout.write(`# single mode: up to healthy in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    await startDiskBroker();
  });

  after(async () => {
    await docker("rm", "-f", DISK_BROKER);
    await project.run("down", "-v", "--remove-orphans", "-t", "1");
  });

  test(`the official Java client on the host round-trips 1000 messages through ${onHost(9876)}`, async () => {
    const runId = uniqueId("host");
    const r = await runJavaClientOnHost(roundTripArgs(onHost(9876), "HostTopic", 1000, runId));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SENT 1000 ok=1000/);
    assert.match(r.stdout, /RECEIVED 1000/);
  });

  test("a client in another container on the compose network round-trips 1000 messages through namesrv:9876", async () => {
    const runId = uniqueId("net");
    const r = await containerRoundTrip(project.network, roundTripArgs("namesrv:9876", "NetworkTopic", 1000, runId));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SENT 1000 ok=1000/);
    assert.match(r.stdout, /RECEIVED 1000/);
  });

  test(`the npm ali-ons client on the host round-trips 200 messages through ${onHost(9876)}`, async () => {
    const runId = uniqueId("ons");
    // ali-ons does not auto-create topics: create it with the mqadmin that ships in the image.
    const created = await dockerOk(
      "exec",
      broker,
      "mqadmin",
      "updateTopic",
      "-n",
      "namesrv:9876",
      "-c",
      "DefaultCluster",
      "-t",
      "AliOnsTopic",
    );
    assert.match(created, /create topic to .* success/);
    const { sent, received } = await aliOnsRoundTrip(onHost(9876), "AliOnsTopic", 200, runId);
    assert.equal(sent, 200);
    assert.equal(received, 200);
  });

  test("both images run as uid 3000 with the JVM as PID 1", async () => {
    for (const c of [namesrv, broker]) {
      assert.equal((await dockerOk("exec", c, "id", "-u")).trim(), "3000");
      const cmdline = (await dockerOk("exec", c, "cat", "/proc/1/cmdline")).split("\0");
      assert.equal(cmdline[0], "java", `${c} PID 1 is ${cmdline.join(" ")}`);
    }
  });

  test("a health check answers from the watcher's verdict with shell built-ins, and in Node once that verdict is stale", async () => {
    // No program can be started with this PATH: only the shell's built-ins can answer.
    const fastCheck = (c: string) => docker("exec", "-e", "PATH=/nowhere", c, "/bin/sh", "/usr/local/bin/docker-entrypoint", "healthcheck");
    for (const [c, detail] of [
      [namesrv, /^healthy: name server answers on 9876\n$/],
      [broker, /^healthy: broker broker-a is registered at \S+:10911 with /],
    ] as const) {
      const r = await fastCheck(c);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, detail);
    }
    // A watcher that hangs (stopped here) leaves a verdict that goes stale: the check then runs in Node.
    const watcher = (await dockerOk("top", broker, "-eo", "pid,args"))
      .split("\n")
      .find((line) => line.includes("health.mjs watch"))
      ?.trim()
      .split(/\s+/)[0];
    assert.ok(watcher, "the broker's container runs the health watcher");
    process.kill(Number(watcher), "SIGSTOP");
    try {
      const deadline = Date.now() + 20_000;
      while ((await fastCheck(broker)).code === 0) {
        assert.ok(Date.now() < deadline, "the verdict of a stopped watcher still stands after 20 s");
        await new Promise((r) => setTimeout(r, 1000));
      }
      const full = await docker("exec", broker, "docker-entrypoint", "healthcheck");
      assert.equal(full.code, 0, full.stdout + full.stderr);
      assert.match(full.stdout, /^healthy: broker broker-a is registered/);
    } finally {
      process.kill(Number(watcher), "SIGCONT");
    }
    await waitHealthy(broker);
  });

  test("RocketMQ's and the configurator's logs are on stdout", async () => {
    const logs = await dockerOk("logs", broker);
    assert.match(logs, /\[configurator\] RocketMQ 5\.5\.0 broker; JVM memory/);
    assert.match(logs, /publish ports 10911 \(clients\), 10909 .* and 10912/);
    assert.match(logs, /The broker\[broker-a, [\d.]+:10911\] boot success/);
    assert.match(await dockerOk("logs", namesrv), /The Name Server boot success/);
  });

  test("each container runs under a 1 GiB limit and sizes its JVM from it", async () => {
    for (const [c, heap] of [
      [namesrv, "512m"],
      [broker, "409m"],
    ] as const) {
      assert.equal((await dockerOk("inspect", "-f", "{{.HostConfig.Memory}}", c)).trim(), String(1024 ** 3));
      assert.match(await dockerOk("logs", c), new RegExp(`heap ${heap} \\(\\d+% of the container memory limit 1024 MiB\\)`));
      assert.match(await dockerOk("exec", c, "cat", "/proc/1/cmdline"), /^java\0@\/tmp\/rocketmq\/jvm\.args\0/);
      assert.match(await dockerOk("exec", c, "cat", "/tmp/rocketmq/jvm.args"), new RegExp(`^"-Xmx${heap}"$`, "m"));
    }
  });

  test("print-config shows the effective broker.conf and where each value came from", async () => {
    const out = await dockerOk("exec", broker, "docker-entrypoint", "print-config");
    assert.match(out, /# from BROKER_ROLE\nbrokerRole=ASYNC_MASTER\n/);
    assert.match(out, /# from RMQ_BROKER_fileReservedTime\nfileReservedTime=48\n/);
    assert.match(out, /# from appliance default: the store volume\nstorePathRootDir=\/home\/rocketmq\/store\n/);
  });

  test("a config change at run time (mqadmin updateBrokerConfig) takes effect and goes to a file of the broker's own, not over broker.conf", async () => {
    const rendered = () => dockerOk("exec", broker, "sh", "-c", "stat -c '%a' /tmp/rocketmq/broker.conf; cat /tmp/rocketmq/broker.conf");
    const before = await rendered();
    await dockerOk("exec", broker, "mqadmin", "updateBrokerConfig", "-b", "127.0.0.1:10911", "-k", "fileReservedTime", "-v", "49");
    const updates = await dockerOk("exec", broker, "cat", "/tmp/rocketmq/broker-updates.properties");
    assert.match(updates, /^fileReservedTime=49$/m);
    assert.equal(await rendered(), before, "broker.conf (0600, as rendered) was rewritten");
  });

  test("docker stop leaves no abort file, and after a restart every message is still there", async () => {
    const runId = uniqueId("stop");
    const sent = await runJavaClientOnHost([
      "--namesrv",
      onHost(9876),
      "--topic",
      "DurableTopic",
      "--count",
      "500",
      "--mode",
      "send",
      "--run-id",
      runId,
    ]);
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    const stopped = Date.now();
    await project.ok("stop", "broker");
    process.stdout.write(`# broker stop took ${((Date.now() - stopped) / 1000).toFixed(1)} s\n`);
    const logs = await dockerOk("logs", "--tail", "5", broker);
    assert.match(logs, /Shutdown hook over/);
    const store = await dockerOk(
      "run",
      "--rm",
      "--entrypoint",
      "ls",
      "-v",
      `${project.volume("broker-store")}:/store`,
      BROKER_IMAGE,
      "/store",
    );
    assert.ok(store.split("\n").includes("commitlog"), store);
    assert.ok(!store.split("\n").includes("abort"), `abort file left behind:\n${store}`);
    await project.ok("up", "-d", "--wait", "broker");
    const received = await runJavaClientOnHost([
      "--namesrv",
      onHost(9876),
      "--topic",
      "DurableTopic",
      "--count",
      "500",
      "--mode",
      "consume",
      "--run-id",
      runId,
      "--group",
      runId,
    ]);
    assert.equal(received.code, 0, received.stdout + received.stderr);
    assert.match(received.stdout, /RECEIVED 500/);
  });

  test("a name server and a broker started with docker run, the broker told NAMESRV_ADDR=<docker host>:port, join and are reachable", async () => {
    // As the blog posts do it: each node a `docker run` of its own on the default bridge, the broker dialling the name
    // server through the docker host's bridge address (docker0) where the name server's port is published.
    const gateway = networkInterfaces()["docker0"]?.find((a) => a.family === "IPv4")?.address ?? "172.17.0.1";
    const nodes = ["rmqtest-run-namesrv", "rmqtest-run-broker"];
    await docker("rm", "-f", ...nodes);
    try {
      await dockerOk(
        "run",
        "-d",
        "--name",
        nodes[0]!,
        "--memory",
        "512m",
        "-p",
        `${gateway}:29876:9876`,
        "rocketmq-appliance/namesrv:latest",
      );
      await dockerOk(
        "run",
        "-d",
        "--name",
        nodes[1]!,
        "--memory",
        "1g",
        "-e",
        `NAMESRV_ADDR=${gateway}:29876`,
        "-e",
        "BROKER_NAME=broker-b",
        "-e",
        "LISTEN_PORT=20911",
        "-p",
        `${PUBLISH_ADDR}:20909:20909`,
        "-p",
        `${PUBLISH_ADDR}:20911:20911`,
        "-p",
        `${PUBLISH_ADDR}:20912:20912`,
        BROKER_IMAGE,
      );
      await waitHealthy(nodes[1]!);
      const address = await masterAddress("broker-b", `${gateway}:29876`);
      assert.match(address, /:20911$/);
      const runtime = await request(address, RequestCode.GET_BROKER_RUNTIME_INFO);
      assert.equal(runtime.code, 0);
    } finally {
      await docker("rm", "-f", ...nodes);
    }
  });

  test("a class-data-sharing archive that does not match, or none, still boots the JVM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rmq-cds-"));
    writeFileSync(join(dir, "namesrv.jsa"), randomBytes(64 * 1024), { mode: 0o644 });
    const cases = [
      ["rmqtest-cds-garbage", `${join(dir, "namesrv.jsa")}:/opt/rocketmq/cds/namesrv.jsa:ro`],
      ["rmqtest-cds-none", `${mkdtempSync(join(tmpdir(), "rmq-cds-empty-"))}:/opt/rocketmq/cds:ro`],
    ];
    try {
      for (const [name, mount] of cases) {
        await docker("rm", "-f", name!);
        await dockerOk("run", "-d", "--name", name!, "--memory", "512m", "-v", mount!, "rocketmq-appliance/namesrv:latest");
      }
      for (const [name] of cases) await waitHealthy(name!);
      const args = (name: string) => dockerOk("exec", name, "cat", "/tmp/rocketmq/jvm.args");
      assert.match(await args("rmqtest-cds-garbage"), /-XX:SharedArchiveFile=\/opt\/rocketmq\/cds\/namesrv.jsa/);
      assert.doesNotMatch(await args("rmqtest-cds-none"), /SharedArchiveFile/);
    } finally {
      await docker("rm", "-f", ...cases.map(([name]) => name!));
    }
  });

  test("bad input exits with status 2 within seconds, names the variable, and never starts the JVM", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ NAMESRV_ADDR: "namesrv" }, /NAMESRV_ADDR="namesrv" .*no port/],
      [{ NAMESRV_ADDR: "ns:9876", RMQ_BROKER_mapedFileSizeCommitLog: "1073741824" }, /did you mean 'mappedFileSizeCommitLog'/],
      [{ NAMESRV_ADDR: "ns:9876", RMQ_BROKER_autoCreateSubscriptinotallow: "true" }, /did you mean 'autoCreateSubscriptionGroup'/],
      [{ NAMESRV_ADDR: "ns:9876", BROKER_ROLE: "SLAVE", BROKER_ID: "0" }, /BROKER_ROLE="SLAVE" with BROKER_ID="0"/],
      [{ NAMESRV_ADDR: "ns:9876", RMQ_BROKER_autoCreateTopicEnable: "yes" }, /autoCreateTopicEnable="yes" .*true or false/],
      [{ NAMESRV_ADDR: "ns:9876", LISTEN_PORT: "65535" }, /LISTEN_PORT="65535" .*HA port/],
      [{ NAMESRV_ADDR: "ns:9876", BROKER_IP1: "10.0.0.1 # my ip" }, /BROKER_IP1=.*inline comment/],
    ];
    for (const [env, expected] of cases) {
      const started = Date.now();
      const r = await docker("run", "--rm", ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]), BROKER_IMAGE);
      const output = r.stdout + r.stderr;
      assert.equal(r.code, 2, output);
      assert.match(output, expected);
      assert.match(output, /RocketMQ was not started/);
      assert.doesNotMatch(output, /RocketmqBroker|BrokerStartup|OpenJDK/, "the JVM must not start");
      assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    }
  });

  test("a second broker on the first's store volume is refused before its JVM starts; the first's data is untouched", async () => {
    const volume = (
      await dockerOk("inspect", "-f", '{{range .Mounts}}{{if eq .Destination "/home/rocketmq/store"}}{{.Name}}{{end}}{{end}}', broker)
    ).trim();
    assert.ok(volume, "the broker has no store volume");
    const runId = uniqueId("lock");
    const sent = await runJavaClientOnHost([
      "--namesrv",
      onHost(9876),
      "--topic",
      "LockTopic",
      "--count",
      "100",
      "--mode",
      "send",
      "--run-id",
      runId,
    ]);
    assert.match(sent.stdout, /SENT 100 ok=100\b/, sent.stdout + sent.stderr);
    // RocketMQ alone (5.5.0) would delete the running broker's abort marker (its crash flag) before failing on a lock.
    const files = () => dockerOk("exec", broker, "sh", "-c", "ls /home/rocketmq/store /home/rocketmq/store/commitlog");
    const before = await files();
    const r = await docker("run", "--rm", "-e", "NAMESRV_ADDR=ns:9876", "-v", `${volume}:/home/rocketmq/store`, BROKER_IMAGE);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /\/home\/rocketmq\/store is in use by another broker \(container "[0-9a-f]{12}", seen \d+ s ago\)/);
    assert.match(r.stdout + r.stderr, /RocketMQ was not started/);
    assert.equal(await files(), before);
    assert.match(before, /^abort$/m);
    const consumed = await runJavaClientOnHost(["--namesrv", onHost(9876), ...consumeArgs("LockTopic", 100, runId, uniqueId("lock"))]);
    assert.match(consumed.stdout, /RECEIVED 100\b/, consumed.stdout + consumed.stderr);
  });

  test("a broker whose store fills past diskSpaceWarningLevelRatio refuses sends with a clear error, the console warns; freed, it takes them again and loses nothing", async () => {
    try {
      await waitHealthy(DISK_BROKER);
      const address = await eventually(() => masterAddress("broker-disk"), 30_000);
      // The topic on this broker alone: a producer has no other broker to turn to.
      await dockerOk("exec", DISK_BROKER, "mqadmin", "updateTopic", "-b", address, "-t", "DiskTopic", "-n", "namesrv:9876");
      const send = (runId: string, count: number, seconds: number) =>
        runJavaClientOnHost([
          "--namesrv",
          onHost(9876),
          "--topic",
          "DiskTopic",
          "--count",
          String(count),
          "--mode",
          "send",
          "--run-id",
          runId,
          "--timeout-seconds",
          String(seconds),
        ]);
      const before = uniqueId("disk");
      const sentBefore = await send(before, 200, 60);
      assert.match(sentBefore.stdout, /SENT 200 ok=200\b/, sentBefore.stdout + sentBefore.stderr);

      // Filled to 96 % (diskSpaceWarningLevelRatio is 90): RocketMQ checks every 10 s, the first time a minute after its start.
      // Above 85 % it also deletes every commit log file but the newest: here there is one, so no message goes.
      const [total, used] = (await dockerOk("exec", DISK_BROKER, "df", "-k", "/home/rocketmq/store"))
        .trim()
        .split("\n")
        .at(-1)!
        .trim()
        .split(/\s+/)
        .slice(1, 3)
        .map(Number);
      const fill = Math.ceil((0.96 * total! - used!) / 64);
      await dockerOk("exec", DISK_BROKER, "dd", "if=/dev/zero", "of=/home/rocketmq/store/filler", "bs=64k", `count=${fill}`);
      const refused = await eventually(
        async () => {
          const r = await send(uniqueId("full"), 1, 8);
          assert.notEqual(r.code, 0, r.stdout);
          assert.match(r.stderr, /CODE: 14\b.*disk is full/, r.stderr);
          return r.stderr.split("\n").find((l) => /disk is full/.test(l))!;
        },
        120_000,
        2000,
      );
      report(`single: a broker with a full store answers producers: ${refused.trim().slice(0, 240)}`);
      const session = await consoleLogin(await generatedPassword({ project }));
      const warned = await eventually(async () => {
        const { brokers } = await session.get<{ brokers: { brokerName: string; warnings: string[] }[] }>("/api/cluster");
        const b = brokers.find((x) => x.brokerName === "broker-disk");
        assert.match(
          b?.warnings.join("\n") ?? "",
          /above diskSpaceWarningLevelRatio 90 %: the broker refuses new messages/,
          JSON.stringify(b),
        );
        return b!.warnings[0]!;
      }, 30_000);
      report(`single: the console warns: ${warned}`);

      // Space back: the broker takes messages again at its next check; everything acknowledged is there.
      await dockerOk("exec", DISK_BROKER, "rm", "/home/rocketmq/store/filler");
      const after = uniqueId("disk");
      const sentAfter = await send(after, 100, 60);
      assert.match(sentAfter.stdout, /SENT 100 ok=100\b/, sentAfter.stdout + sentAfter.stderr);
      for (const [runId, count] of [
        [before, 200],
        [after, 100],
      ] as const) {
        const consumed = await runJavaClientOnHost([
          "--namesrv",
          onHost(9876),
          ...consumeArgs("DiskTopic", count, runId, uniqueId("disk")),
        ]);
        assert.match(consumed.stdout, new RegExp(`RECEIVED ${count}\\b`), consumed.stdout + consumed.stderr);
      }
      await eventually(async () => {
        const { brokers } = await session.get<{ brokers: { brokerName: string; warnings: string[] }[] }>("/api/cluster");
        assert.deepEqual(brokers.find((x) => x.brokerName === "broker-disk")?.warnings, []);
      }, 30_000);
    } finally {
      // Gone, it leaves the name server's table at once (its connection closes).
      await docker("rm", "-f", DISK_BROKER);
    }
  });

  // After the tests that log in: a restarted console generates a new password.
  test("the console runs as a non-root user on a read-only root file system and stops at once on SIGTERM", async () => {
    const id = project.container("console");
    assert.equal((await dockerOk("inspect", "-f", "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}", id)).trim(), "3000:3000 true");
    const started = Date.now();
    await project.ok("stop", "console");
    const seconds = (Date.now() - started) / 1000;
    assert.equal((await dockerOk("inspect", "-f", "{{.State.ExitCode}}", id)).trim(), "0");
    assert.match(await dockerOk("logs", id), /SIGTERM: stopping/);
    report(`single: console stopped in ${seconds.toFixed(1)} s`);
    await project.ok("up", "-d", "--wait", "console");
  });

  test("an unwritable bind mount gets a clear error instead of a crash", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rmq-store-"));
    chmodSync(dir, 0o755);
    const r = await docker("run", "--rm", "-e", "NAMESRV_ADDR=ns:9876", "-v", `${dir}:/home/rocketmq/store`, BROKER_IMAGE);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /\/home\/rocketmq\/store is not writable by uid 3000 .*chown -R 3000:3000/);
    assert.match(r.stdout + r.stderr, /RocketMQ was not started/);
  });

  // Last: the name server killed, then broker-a's broker killed, paused, cut off, under load (test/chaos/schedule.ts).
  chaosScheduleTest(new ClusterUnderTest("single", { project: project.name, networkNamesrv: "namesrv:9876" }), "single");
});
