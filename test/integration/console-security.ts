// The console image attacked in front of a real cluster: the attack table of test/attacks against the compose
// file's console and against a second, read-only console with tight login limits on the same network; then the
// cluster is read back to show that nothing was created, deleted or reset.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { docker, dockerOk, eventually, onHost, uniqueId } from "./harness.ts";
import { report, type ClusterUnderTest } from "./cluster.ts";
import { CONSOLE_URL, consoleLogin, generatedPassword } from "./console.ts";
import {
  ANONYMOUS_ATTACKS,
  PLANTED_TOPIC,
  VICTIM_TOPIC,
  rawRequest,
  readOnlyAttacks,
  runAttacks,
  sessionAttacks,
} from "../attacks/console.ts";
import { RemotingClient } from "../../src/remoting/connection.ts";
import { topicRoute } from "../../src/remoting/route.ts";

const CONSOLE_PORT = Number(new URL(CONSOLE_URL).port);

export function consoleSecurityTests(cluster: ClusterUnderTest): void {
  const readOnlyName = uniqueId("rmqtest-console-ro-");
  const readOnlyPassword = `ro-${uniqueId("pw")}`;
  let readOnlyPort = 0;

  before(async () => {
    await cluster.createTopic(VICTIM_TOPIC);
    // A second console on the cluster's network: read-only, a known password, 5 failed logins per 3 s.
    await dockerOk(
      "run",
      "-d",
      "--name",
      readOnlyName,
      "--network",
      cluster.project.network,
      "--read-only",
      "-p",
      "127.0.0.1::8082",
      "-e",
      `NAMESRV_ADDR=${cluster.networkNamesrv}`,
      "-e",
      "CONSOLE_READ_ONLY=true",
      "-e",
      `CONSOLE_PASSWORD=${readOnlyPassword}`,
      "-e",
      "CONSOLE_LOGIN_ATTEMPTS=5",
      "-e",
      "CONSOLE_LOGIN_BACKOFF_SECONDS=3",
      "rocketmq-appliance/console:latest",
    );
    readOnlyPort = Number((await dockerOk("port", readOnlyName, "8082/tcp")).trim().split(":").pop());
    await eventually(
      async () => assert.equal((await rawRequest(readOnlyPort, { method: "GET", target: "/healthz" })).status, 200),
      30_000,
      250,
    );
  });
  after(async () => {
    await docker("rm", "-f", readOnlyName);
  });

  test("attack table against the console: anonymous, CSRF, cross-origin, bad names, property injection, oversized and polluted bodies", async () => {
    const session = await consoleLogin(await generatedPassword(cluster));
    const attacks = [...ANONYMOUS_ATTACKS, ...sessionAttacks(session)];
    assert.deepEqual(await runAttacks(CONSOLE_PORT, attacks), []);
    report(`${cluster.label}: console security table, ${attacks.length} attack requests refused`);
  });

  test("a read-only console refuses every write by any path, and slows down 100 wrong logins (429) until its back-off ends", async () => {
    const s = await consoleLogin(readOnlyPassword, `http://localhost:${readOnlyPort}`);
    const attacks = [...ANONYMOUS_ATTACKS, ...readOnlyAttacks(s)];
    assert.deepEqual(await runAttacks(readOnlyPort, attacks), []);

    const login = (password: string) =>
      rawRequest(readOnlyPort, { method: "POST", target: "/api/login", body: JSON.stringify({ user: "admin", password }) });
    const statuses: number[] = [];
    let retryAfter = 0;
    for (let i = 0; i < 100; i++) {
      const r = await login(`wrong-${i}`);
      statuses.push(r.status);
      if (r.status === 429) retryAfter = Number(r.headers["retry-after"]);
    }
    const limited = statuses.filter((x) => x === 429).length;
    assert.ok(limited >= 90, `only ${limited} of 100 wrong logins got 429: ${statuses.join(",")}`);
    assert.ok(retryAfter >= 1 && retryAfter <= 3, `retry-after ${retryAfter}`);
    assert.equal((await login(readOnlyPassword)).status, 429, "the right password waits out the back-off too");
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 200));
    assert.equal((await login(readOnlyPassword)).status, 200);
    const logs = await dockerOk("logs", readOnlyName);
    assert.doesNotMatch(logs, new RegExp(readOnlyPassword), "the password never reaches the log");
    report(
      `${cluster.label}: read-only console: ${attacks.length} attack requests refused; ${limited}/100 wrong logins answered 429, retry-after ${retryAfter} s`,
    );
  });

  test("after the attacks the cluster is as it was: the victim topic is there, nothing planted", async () => {
    const client = new RemotingClient();
    try {
      const route = await topicRoute(client, onHost(9876), VICTIM_TOPIC);
      assert.ok(route.brokerDatas.length > 0, `${VICTIM_TOPIC} lost its route`);
      for (const planted of [PLANTED_TOPIC, "Polluted"]) {
        await assert.rejects(topicRoute(client, onHost(9876), planted), /./, `${planted} was created`);
      }
    } finally {
      client.close();
    }
  });
}
