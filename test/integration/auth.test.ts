// AUTH_ENABLED against real RocketMQ 5.5.0 (broker and proxy from the Testcontainers module's withAuth): the
// broker's own refusals of anonymous and wrongly signed clients, and round trips with credentials, through clients
// we did not write (the official Java client, ali-ons, rocketmq-client-nodejs via the proxy), a user limited by
// an ACL, mqadmin and the health check signing as the admin, the console's signed requests, and no password in
// any log or print-config.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aliOnsRoundTrip } from "../../bench/clients/ali-ons-client.ts";
import { getAcl, getUser } from "../../src/remoting/acl.ts";
import { subscriptionGroup } from "../../src/remoting/admin.ts";
import { topicRoute } from "../../src/remoting/route.ts";
import { RemotingClusterSource } from "../../src/console/cluster-source.ts";
import { request } from "../../src/remoting/client.ts";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import { RemotingClient } from "../../src/remoting/connection.ts";
import { RocketMQContainer, type StartedRocketMQContainer } from "../../src/testcontainers/index.ts";
import { grpcRoundTrip } from "../clients/grpc-client.ts";
import { prepareJavaClient, runJavaClientOnHost } from "../clients/java-client.ts";
import { docker, dockerAvailability, ensureImages, uniqueId } from "./harness.ts";

const skip = await dockerAvailability();
/** CI fails when this value appears anywhere in the test output. */
const PASSWORD = "S3cr3t-VALUE-xyz";
const ALICE = { accessKey: "alice", secretKey: "alice-pw-2718281" };
const BOB = { accessKey: "bob", secretKey: "B0b-pw-1414213" };

/** What the bootstrap tests declare: bob may publish to BootTopic and consume as BootGroup-consumer (the Java client's name for --group BootGroup). */
function bootstrapText(queues: number, { bobPolicies = 2, extra = "" } = {}): string {
  const policies = [
    "      - resource: Topic:BootTopic\n        actions: [Pub, Sub]",
    "      - resource: Group:BootGroup-*\n        actions: [Sub]",
  ].slice(0, bobPolicies);
  return [
    "users:",
    `  - username: ${BOB.accessKey}`,
    `    password: ${BOB.secretKey}`,
    "    policies:",
    ...policies,
    "topics:",
    "  - name: BootTopic",
    `    queues: ${queues}`,
    "  - name: BootFifo",
    "    type: FIFO",
    "groups:",
    "  - name: BootGroup-consumer",
    "    retryMaxTimes: 3",
    "    orderly: true",
    extra,
  ].join("\n");
}

describe("AUTH_ENABLED: ACL 2.0 on a RocketMQ 5.5.0 broker and proxy", { skip }, () => {
  let rocketmq: StartedRocketMQContainer;
  let admin: { accessKey: string; secretKey: string };
  let bootstrapFile: string;
  before(async () => {
    await Promise.all([ensureImages(), prepareJavaClient()]);
    // Healthy only if the image's health check signs its requests; the topics only if the module signs too.
    bootstrapFile = join(mkdtempSync(join(tmpdir(), "bootstrap-")), "bootstrap.yml");
    writeFileSync(bootstrapFile, bootstrapText(2));
    rocketmq = await new RocketMQContainer()
      .withAuth(PASSWORD)
      .withProxy()
      .withTopics("AuthTopic", "OtherTopic", "GrpcAuthTopic")
      .withBootstrapFile(bootstrapFile)
      // A secret the broker logs with its settings at start (RocketMQ prints every BrokerConfig field).
      .withBrokerConfig({ metricsGrpcExporterHeader: `x-api-key:${PASSWORD}` })
      .start();
    admin = rocketmq.getCredentials()!;
  });
  after(() => rocketmq?.stop());

  test("the broker refuses anonymous and wrongly signed requests itself (NO_PERMISSION) and answers the admin", async () => {
    // Compared, never printed: the value must not reach the output even when this fails.
    assert.ok(admin.accessKey === "admin" && admin.secretKey === PASSWORD, "getCredentials() gives the admin and the password");
    const broker = rocketmq.getBrokerAddr();
    const anonymous = await request(broker, RequestCode.GET_BROKER_RUNTIME_INFO);
    assert.equal(anonymous.code, ResponseCode.NO_PERMISSION, anonymous.remark);
    const wrong = await request(broker, RequestCode.GET_BROKER_RUNTIME_INFO, {
      credentials: { accessKey: "admin", secretKey: "not-the-password" },
    });
    assert.equal(wrong.code, ResponseCode.NO_PERMISSION, wrong.remark);
    assert.equal((await request(broker, RequestCode.GET_BROKER_RUNTIME_INFO, { credentials: admin })).code, ResponseCode.SUCCESS);
    // Name servers have no ACL in RocketMQ: routes stay public (the broker checks who uses them).
    assert.equal((await request(rocketmq.getNamesrvAddr(), RequestCode.GET_BROKER_CLUSTER_INFO)).code, ResponseCode.SUCCESS);
  });

  test("the official Java client is refused without credentials and round-trips 1000 messages with the admin's", async () => {
    const namesrv = rocketmq.getNamesrvAddr();
    const anonymous = await runJavaClientOnHost([
      "--namesrv",
      namesrv,
      "--topic",
      "AuthTopic",
      "--count",
      "1",
      "--mode",
      "send",
      "--timeout-seconds",
      "40",
    ]);
    assert.notEqual(anonymous.code, 0, anonymous.stdout);
    assert.match(anonymous.stderr, /CODE: 16\b/, anonymous.stderr);

    const runId = uniqueId("auth");
    const r = await runJavaClientOnHost(
      ["--namesrv", namesrv, "--topic", "AuthTopic", "--count", "1000", "--run-id", runId, "--group", uniqueId("g")],
      { credentials: admin },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SENT 1000 ok=1000/);
    assert.match(r.stdout, /RECEIVED 1000\b/);
  });

  test("a user allowed to publish to AuthTopic only is refused on OtherTopic, and as a consumer without SUB", async () => {
    // mqadmin in the container signs as the admin (the image writes its tools.yml).
    const broker = rocketmq.getBrokerAddr();
    await rocketmq.mqadmin("createUser", "-b", broker, "-u", ALICE.accessKey, "-p", ALICE.secretKey);
    await rocketmq.mqadmin("createAcl", "-b", broker, "-s", `User:${ALICE.accessKey}`, "-r", "Topic:AuthTopic", "-a", "Pub", "-d", "Allow");
    const namesrv = rocketmq.getNamesrvAddr();
    const send = (topic: string) =>
      runJavaClientOnHost(["--namesrv", namesrv, "--topic", topic, "--count", "5", "--mode", "send", "--timeout-seconds", "40"], {
        credentials: ALICE,
      });
    const allowed = await send("AuthTopic");
    assert.match(allowed.stdout, /SENT 5 ok=5/, allowed.stdout + allowed.stderr);
    const refused = await send("OtherTopic");
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /CODE: 16\b/, refused.stderr);

    const pull = (credentials: { accessKey: string; secretKey: string }) =>
      runJavaClientOnHost(
        ["--namesrv", namesrv, "--topic", "AuthTopic", "--mode", "pull-once", "--group", "alice-group", "--timeout-seconds", "40"],
        {
          credentials,
        },
      );
    const consumer = await pull(ALICE);
    assert.equal(consumer.code, 1, consumer.stdout);
    assert.match(consumer.stderr, /pull refused: .*CODE: 16\b/, consumer.stderr);
    assert.match((await pull(admin)).stdout, /PULLED FOUND \d+/);
  });

  test("ali-ons signs with accessKey/secretKey on the name server path", async () => {
    assert.deepEqual(await aliOnsRoundTrip(rocketmq.getNamesrvAddr(), "AuthTopic", 50, uniqueId("ons"), { credentials: admin }), {
      sent: 50,
      received: 50,
    });
  });

  test("rocketmq-client-nodejs through the proxy: credentials round-trip, none are refused", async () => {
    const endpoint = rocketmq.getProxyEndpoint();
    assert.deepEqual(await grpcRoundTrip(endpoint, "GrpcAuthTopic", 50, uniqueId("grpc"), { credentials: admin }), {
      sent: 50,
      received: 50,
    });
    await assert.rejects(grpcRoundTrip(endpoint, "GrpcAuthTopic", 1, uniqueId("grpc-anon"), { timeoutMs: 15_000 }), (e: Error) => {
      assert.match(e.message, /UNAUTHORIZED|authenticat|username|40[13]/i);
      return true;
    });
  });

  test("the console's client signs as its cluster user: the broker's page has no error; unsigned, the refusal is shown", async () => {
    const signed = new RemotingClient({ credentials: admin });
    const unsigned = new RemotingClient();
    try {
      const ok = await new RemotingClusterSource(signed, rocketmq.getNamesrvAddr()).overview();
      assert.equal(ok.brokers[0]!.error, undefined, JSON.stringify(ok.brokers[0]));
      assert.equal(ok.brokers[0]!.version, "V5_5_0");
      assert.ok((await new RemotingClusterSource(signed, rocketmq.getNamesrvAddr()).topics()).includes("AuthTopic"));
      const refused = await new RemotingClusterSource(unsigned, rocketmq.getNamesrvAddr()).overview();
      assert.match(refused.brokers[0]!.error ?? "", /16|permission|username/i);
    } finally {
      signed.close();
      unsigned.close();
    }
  });

  test("bootstrap file: users with policies, topics and groups are there at start(); bob publishes to BootTopic only", async () => {
    const broker = rocketmq.getBrokerAddr();
    const signed = new RemotingClient({ credentials: admin });
    try {
      const route = await topicRoute(signed, rocketmq.getNamesrvAddr(), "BootTopic");
      assert.deepEqual(
        route.queueDatas.map((q) => [q.readQueueNums, q.writeQueueNums]),
        [[2, 2]],
      );
      const user = await getUser(signed, broker, BOB.accessKey);
      assert.equal(user?.userType, "Normal");
      assert.ok(user?.password === BOB.secretKey, "bob's password is the file's");
      const acl = await getAcl(signed, broker, `User:${BOB.accessKey}`);
      assert.deepEqual(acl?.policies.flatMap((p) => p.entries.map((e) => e.resource)).sort(), ["Group:BootGroup-*", "Topic:BootTopic"]);
      const group = await subscriptionGroup(signed, broker, "BootGroup-consumer");
      assert.equal(group?.retryMaxTimes, 3);
      assert.equal(group?.consumeMessageOrderly, true);
    } finally {
      signed.close();
    }
    const namesrv = rocketmq.getNamesrvAddr();
    const runId = uniqueId("boot");
    const r = await runJavaClientOnHost(
      ["--namesrv", namesrv, "--topic", "BootTopic", "--count", "20", "--run-id", runId, "--group", "BootGroup", "--timeout-seconds", "60"],
      { credentials: BOB },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /RECEIVED 20\b/);
    const refused = await runJavaClientOnHost(
      ["--namesrv", namesrv, "--topic", "AuthTopic", "--count", "1", "--mode", "send", "--timeout-seconds", "40"],
      { credentials: BOB },
    );
    assert.match(refused.stderr, /CODE: 16\b/, refused.stderr);
  });

  test("bootstrap again: the same file changes nothing; a new queue count and a dropped policy are applied; a bad file changes nothing", async () => {
    const same = await rocketmq.bootstrap(bootstrapText(2));
    assert.match(same, /user bob: unchanged/, same);
    const changed = await rocketmq.bootstrap(bootstrapText(4, { bobPolicies: 1 }));
    assert.match(changed, /user bob: updated/, changed);
    const shrunk = await rocketmq.bootstrap(bootstrapText(1, { bobPolicies: 1 }));
    assert.match(shrunk, /4 read queues kept/, shrunk);
    const bad = "topics:\n  - name: NeverCreated\n  - name: BootTopic\n    queues: 0\ngroups:\n  - name: G\n    orderly: maybe\n";
    await assert.rejects(rocketmq.bootstrap(bad), (e: Error) => {
      assert.match(e.message, /exited with 2/);
      assert.match(e.message, /bootstrap-[^:]*\.yml:4:13: topics\[1\]\.queues: must be a whole number/);
      assert.match(e.message, /:7:14: groups\[0\]\.orderly: must be true or false/);
      assert.match(e.message, /2 problem\(s\); nothing was applied/);
      return true;
    });
    for (const output of [same, changed, shrunk]) assert.ok(!output.includes(BOB.secretKey) && !output.includes(PASSWORD), output);

    const signed = new RemotingClient({ credentials: admin });
    try {
      const route = await topicRoute(signed, rocketmq.getNamesrvAddr(), "BootTopic");
      // Write queues shrink at once; read queues stay until the removed queues' messages are consumed.
      assert.deepEqual(
        route.queueDatas.map((q) => [q.readQueueNums, q.writeQueueNums]),
        [[4, 1]],
      );
      await assert.rejects(topicRoute(signed, rocketmq.getNamesrvAddr(), "NeverCreated"), /no route/);
      const acl = await getAcl(signed, rocketmq.getBrokerAddr(), `User:${BOB.accessKey}`);
      assert.deepEqual(
        acl?.policies.flatMap((p) => p.entries.map((e) => e.resource)),
        ["Topic:BootTopic"],
      );
    } finally {
      signed.close();
    }
  });

  test("the console's users page source: a user created, given policies, listed without its password, deleted, on the broker", async () => {
    const client = new RemotingClient({ credentials: admin });
    const source = new RemotingClusterSource(client, rocketmq.getNamesrvAddr());
    const DAVE = { accessKey: "dave", secretKey: "D4ve-pw-1618033" };
    try {
      await source.updateUser({ username: DAVE.accessKey, password: DAVE.secretKey, userType: "Normal", userStatus: "enable" });
      await source.updatePolicies(DAVE.accessKey, [{ resource: "Topic:AuthTopic", actions: ["Pub"], decision: "Allow", sourceIps: [] }]);
      let view = await source.users();
      assert.deepEqual(view.errors, []);
      const dave = view.users.find((u) => u.username === DAVE.accessKey);
      assert.deepEqual(
        { ...dave, policies: dave?.policies.map((p) => `${p.decision} ${p.actions.join("+")} ${p.resource}`) },
        { username: "dave", userType: "Normal", userStatus: "enable", brokers: 1, policies: ["Allow Pub Topic:AuthTopic"] },
      );
      assert.ok(!JSON.stringify(view).includes(DAVE.secretKey) && !JSON.stringify(view).includes(PASSWORD), "a password in the list");
      // The broker enforces what the page set: dave may send to AuthTopic, and is refused once disabled.
      const send = () =>
        runJavaClientOnHost(
          ["--namesrv", rocketmq.getNamesrvAddr(), "--topic", "AuthTopic", "--count", "3", "--mode", "send", "--timeout-seconds", "40"],
          { credentials: DAVE },
        );
      assert.match((await send()).stdout, /SENT 3 ok=3/);
      await source.updateUser({ username: DAVE.accessKey, userType: "Normal", userStatus: "disable" });
      const refused = await send();
      assert.notEqual(refused.code, 0);
      await source.deleteUser(DAVE.accessKey);
      view = await source.users();
      assert.equal(
        view.users.find((u) => u.username === DAVE.accessKey),
        undefined,
      );
      assert.ok(view.users.some((u) => u.username === "admin" && u.userType === "Super"));
    } finally {
      client.close();
    }
  });

  test("the password is in no log and no print-config; the files holding it are the JVM user's alone", async () => {
    for (const container of [rocketmq.getBrokerContainer(), rocketmq.getProxyContainer()!]) {
      const logs = await docker("logs", container.getId());
      assert.equal(logs.code, 0);
      assert.ok(!(logs.stdout + logs.stderr).includes(PASSWORD), "a log shows the password");
      if (container === rocketmq.getBrokerContainer()) assert.match(logs.stdout, /RocketmqBroker - metricsGrpcExporterHeader=<redacted>$/m);
      const printed = await container.exec(["docker-entrypoint", "print-config"]);
      assert.equal(printed.exitCode, 0, printed.output);
      assert.ok(!printed.output.includes(PASSWORD), "print-config shows the password");
      assert.match(printed.output, /innerClientAuthenticationCredentials.*<redacted>/);
      const files = [
        "/tmp/rocketmq",
        "/tmp/rocketmq/jvm.args",
        "/tmp/rocketmq/tools/conf/tools.yml",
        "/tmp/rocketmq/broker.conf",
        "/tmp/rocketmq/rmq-proxy.json",
      ];
      const modes = await container.exec(["sh", "-c", `stat -c '%a %n' ${files.join(" ")} 2>/dev/null; true`]);
      const lines = modes.stdout.trim().split("\n");
      assert.equal(lines.length, 4, modes.stdout); // the directory, the argfile, tools.yml and the node's config file
      for (const line of lines) assert.match(line, /^(600|700) /, modes.stdout);
      if (container === rocketmq.getBrokerContainer()) {
        // The store, where the broker keeps its ACL users with their passwords, is no one else's either (umask 007).
        const open = await container.exec(["find", "/home/rocketmq/store", "-perm", "/o=rwx"]);
        assert.equal(open.exitCode, 0, open.output);
        assert.equal(open.stdout.trim(), "", `readable by others:\n${open.stdout}`);
      }
    }
  });
});
