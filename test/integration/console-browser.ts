// The console in a real browser (Debian's Chromium driven by playwright-core) against the 2m-2s-async cluster:
// log in, see the masters and slaves and the HA view, create a topic, send a message, find it by key, watch a
// consumer group's lag rise and drop after consuming. A screenshot of every page is kept in test-artifacts/console.
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { runJavaClientOnHost } from "../clients/java-client.ts";
import { REPO_ROOT, onHost, uniqueId } from "./harness.ts";
import { CONSOLE_URL, consoleLogin, generatedPassword } from "./console.ts";
import { report, type ClusterUnderTest } from "./cluster.ts";
import { RemotingClient } from "../../src/remoting/connection.ts";
import { queryMessagesByKey, recentMessages } from "../../src/remoting/messages.ts";
import { topicRoute } from "../../src/remoting/route.ts";
import { RequestCode } from "../../src/remoting/codes.ts";

const SHOTS = join(REPO_ROOT, "test-artifacts", "console");

/** Debian's chromium package (what .ci/run installs); CHROMIUM_PATH overrides. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no Chromium found (tried ${candidates.join(", ")}): apt-get install chromium, or set CHROMIUM_PATH`);
  return found;
}

export function browserTour(cluster: ClusterUnderTest): void {
  let browser: Browser;
  let page: Page;
  const runId = uniqueId("ui").replace(/[^A-Za-z0-9_-]/g, "");
  const topic = `BrowserTopic_${runId}`;
  const group = `Browser_${runId}`; // the Java client's consumer group is <group>-consumer
  const key = `order-${runId}`;

  const shot = async (name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };
  const java = async (args: string[]) => {
    const r = await runJavaClientOnHost(["--namesrv", onHost(9876), "--topic", topic, "--group", group, ...args]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  };
  /** Opens `url`, loading the page again if it is already there (same hash: no hashchange). */
  const open = async (url: string) => {
    if (page.url() === url) await page.reload();
    else await page.goto(url);
  };
  /** Reloads the group's page until its total lag reads `lag`. */
  const groupLag = async (lag: number) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      await open(`${CONSOLE_URL}/#/group/${encodeURIComponent(`${group}-consumer`)}`);
      const text = await page.locator("#group-lag").textContent({ timeout: 10_000 });
      if (text === String(lag)) return;
      if (Date.now() > deadline) assert.fail(`group lag reads ${text}, expected ${lag}`);
      await page.waitForTimeout(2000);
    }
  };

  before(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox", "--disable-dev-shm-usage"] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  after(async () => {
    await browser?.close();
  });

  test("browser: the console asks for a login, then shows 2 masters and 2 slaves", async () => {
    const started = Date.now();
    await page.goto(CONSOLE_URL);
    await page.locator("#login").waitFor();
    await shot("01-login");
    await page.fill('#login input[name="password"]', "not the password");
    await page.click('#login button[type="submit"]');
    await page.locator("#login [role=alert]").waitFor();
    await page.fill('#login input[name="password"]', await generatedPassword(cluster));
    await page.click('#login button[type="submit"]');
    await page.locator("#brokers tbody tr").first().waitFor();
    assert.equal(await page.locator('#brokers [data-role="master"]').count(), 2);
    assert.equal(await page.locator('#brokers [data-role="slave"]').count(), 2);
    report(`console in Chromium: login to cluster page in ${Date.now() - started} ms`);
    await shot("02-cluster");
  });

  test("browser: the HA view shows both pairs replicating", async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      await open(`${CONSOLE_URL}/#/ha`);
      await page.locator(".ha-group").first().waitFor();
      if ((await page.locator('.ha-group[data-replicating="true"]').count()) === 2) break;
      if (Date.now() > deadline) assert.fail(await page.locator("main").innerText());
      await page.waitForTimeout(2000);
    }
    await shot("03-ha");
  });

  test("browser: create a topic, send a message to it, find the message by key", async () => {
    await page.goto(`${CONSOLE_URL}/#/topics`);
    await page.locator("#topics").waitFor();
    await page.fill('#create-topic input[name="name"]', topic);
    await page.fill('#create-topic input[name="queues"]', "4");
    await page.click('#create-topic button[type="submit"]');
    await page.locator("text=created").waitFor({ timeout: 60_000 });
    await shot("04-topics");

    // The group consumes once so that it has offsets: from then on its lag is what is left to consume.
    await java(["--mode", "both", "--count", "10", "--run-id", `${runId}a`]);

    await page.goto(`${CONSOLE_URL}/#/topic/${encodeURIComponent(topic)}`);
    await page.locator("#queues tbody tr").first().waitFor();
    // The update form starts from the topic's current queues and permission: submitting it unchanged is harmless.
    assert.equal(await page.inputValue('#update-topic input[name="queues"]'), "4");
    assert.equal(await page.inputValue('#update-topic select[name="perm"]'), "6");
    await page.click('#update-topic button[type="submit"]');
    await page.locator("#updated").waitFor({ timeout: 60_000 });
    await page.fill('#send-message input[name="body"]', `hello ${runId}`);
    await page.fill('#send-message input[name="keys"]', key);
    await page.click('#send-message button[type="submit"]');
    await page.locator("#sent").waitFor({ timeout: 30_000 });
    await shot("05-topic-sent");

    const deadline = Date.now() + 30_000; // the key index is written moments after the message
    for (;;) {
      await open(`${CONSOLE_URL}/#/messages?${new URLSearchParams({ topic, key })}`);
      await page.locator("#messages").waitFor();
      if ((await page.locator("#messages").innerText()).includes(`hello ${runId}`)) break;
      if (Date.now() > deadline) assert.fail(await page.locator("main").innerText());
      await page.waitForTimeout(1000);
    }
    await shot("06-message-by-key");
  });

  test("browser: a consumer group's lag rises with unconsumed messages and drops after consuming", async () => {
    // While the Java producer sends, the topic page lists it under its producer group.
    const sending = java(["--mode", "send", "--count", "300", "--run-id", `${runId}b`]);
    await open(`${CONSOLE_URL}/#/topic/${encodeURIComponent(topic)}`);
    await page.fill('#producers input[name="group"]', `${group}-producer`);
    const deadline = Date.now() + 60_000;
    for (;;) {
      await page.click('#producers button[type="submit"]');
      await page.locator("#producer-connections").waitFor();
      if ((await page.locator("#producer-connections").innerText()).includes("JAVA")) break;
      if (Date.now() > deadline) assert.fail(`no producer listed: ${await page.locator("#producer-connections").innerText()}`);
      await page.waitForTimeout(300);
    }
    await shot("07-producers");
    await sending;
    await groupLag(301); // the console's message and 300 more
    await shot("08-group-lag");
    await java(["--mode", "consume", "--count", "300", "--run-id", `${runId}b`]);
    await groupLag(0);
    assert.ok((await page.locator("#group-queues tbody tr").count()) >= 8, "the group's queues on both masters");
    await shot("09-group-consumed");
    await page.goto(`${CONSOLE_URL}/#/groups?search=${encodeURIComponent(group)}`);
    await page.locator("#groups tbody tr").first().waitFor();
    await shot("10-groups");
  });

  test("browser: reset the group's offsets to an hour ago → every message is unconsumed again", async () => {
    await open(`${CONSOLE_URL}/#/group/${encodeURIComponent(`${group}-consumer`)}`);
    await page.locator("#reset-offset").waitFor();
    await page.selectOption('#reset-offset select[name="topic"]', topic);
    await page.click('#reset-offset button[type="submit"]'); // the form's default time: an hour ago
    // The form's answer, success or error, appears beside it: the assertion shows whichever came.
    const answer = page.locator('#reset-offset + div [role="status"], #reset-offset + div [role="alert"]').first();
    await answer.waitFor({ timeout: 30_000 });
    assert.equal(await answer.innerText(), "offsets reset on 8 queue(s)");
    await shot("11-group-reset");
    await groupLag(311); // 10 + 1 + 300 messages since the topic was created
  });

  test("browser: a dead letter is listed for its group and sent again to the group's retry topic", async () => {
    // What a consumer does when a message failed too often: send it back with delay level -1 → %DLQ%<group>.
    const client = new RemotingClient();
    try {
      const [sent] = await queryMessagesByKey(client, onHost(9876), topic, key);
      assert.ok(sent, "the console's message is found by key");
      const master = (await topicRoute(client, onHost(9876), topic)).brokerDatas.find((b) => b.brokerName === sent.brokerName)!.brokerAddrs[
        "0"
      ]!;
      const r = await client.request(master, RequestCode.CONSUMER_SEND_MSG_BACK, {
        extFields: {
          offset: String(sent.commitLogOffset),
          group: `${group}-consumer`,
          delayLevel: "-1",
          originMsgId: sent.msgId,
          originTopic: topic,
          unitMode: "false",
          maxReconsumeTimes: "1",
        },
      });
      assert.equal(r.code, 0, r.remark);
    } finally {
      client.close();
    }
    const deadline = Date.now() + 30_000;
    for (;;) {
      await open(`${CONSOLE_URL}/#/dlq?group=${encodeURIComponent(`${group}-consumer`)}`);
      await page.locator("#dlq-search").waitFor();
      if ((await page.locator("#messages").count()) && (await page.locator("#messages").innerText()).includes(`hello ${runId}`)) break;
      if (Date.now() > deadline) assert.fail(await page.locator("main").innerText());
      await page.waitForTimeout(1000);
    }
    await page.locator("#messages button", { hasText: "Resend" }).first().click();
    await page.locator("#messages .ok", { hasText: "resent as" }).waitFor({ timeout: 30_000 });
    await shot("12-dead-letters");
    const client2 = new RemotingClient();
    try {
      const retry = await recentMessages(client2, onHost(9876), `%RETRY%${group}-consumer`, 10);
      assert.ok(
        retry.messages.some((m) => m.body.toString() === `hello ${runId}` && m.properties.RETRY_TOPIC === topic),
        JSON.stringify(retry.messages.map((m) => m.properties)),
      );
    } finally {
      client2.close();
    }
  });

  test("browser: a group's settings, saved from its page on every broker, are what each master then lists", async () => {
    const name = `${group}-consumer`;
    await open(`${CONSOLE_URL}/#/group/${encodeURIComponent(name)}`);
    await page.locator("#update-group").waitFor();
    await page.fill('#update-group input[name="retryMaxTimes"]', "5");
    await page.click('#update-group button[type="submit"]');
    const answer = page.locator('#update-group + div [role="status"], #update-group + div [role="alert"]').first();
    await answer.waitFor({ timeout: 30_000 });
    assert.equal(await answer.innerText(), `settings of ${name} saved on every broker`);
    await open(`${CONSOLE_URL}/#/group/${encodeURIComponent(name)}`);
    await page.locator("#group-settings tbody tr").first().waitFor();
    // Columns: broker, retries, retry queues, orderly, consume enabled, broadcast allowed.
    const rows = await page.locator("#group-settings tbody tr").evaluateAll((trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll("td")]
          .slice(0, 4)
          .map((td) => td.textContent)
          .join(" "),
      ),
    );
    assert.deepEqual(rows.sort(), ["broker-a 5 1 no", "broker-b 5 1 no"]);
    await shot("16-group-settings");
  });

  test("browser: markup in a message's body, keys and tags is shown as text and never runs", async () => {
    const xssKey = `xss-${runId}`;
    const body = `<img src=x onerror="window.__xss='body'"><script>window.__xss='script'</script>`;
    const session = await consoleLogin(await generatedPassword(cluster));
    const sent = await session.post(`/api/topics/${encodeURIComponent(topic)}/messages`, {
      body,
      keys: `${xssKey} <svg/onload=window.__xss='key'>`,
      tags: "<b>tag</b>",
    });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const dialogs: string[] = [];
    page.on("dialog", (d) => void (dialogs.push(d.message()), d.dismiss()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      await open(`${CONSOLE_URL}/#/messages?${new URLSearchParams({ topic, key: xssKey })}`);
      await page.locator("#messages").waitFor();
      if ((await page.locator("#messages").innerText()).includes("<img src=x")) break;
      if (Date.now() > deadline) assert.fail(await page.locator("main").innerText());
      await page.waitForTimeout(1000);
    }
    await shot("15-markup-as-text");
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss), undefined);
    assert.equal(
      await page.locator("#messages img, #messages script, #messages svg, #messages b").count(),
      0,
      "no element made from the message",
    );
    assert.deepEqual(dialogs, []);
  });

  test("browser: a topic's messages of the last hour, newest first, with the markup message shown as text", async () => {
    await open(`${CONSOLE_URL}/#/topic/${encodeURIComponent(topic)}`);
    await page.locator("#browse").waitFor();
    await page.fill('#browse input[name="pageSize"]', "10");
    await page.click('#browse button[type="submit"]');
    await page.locator("#browse-results #messages tbody tr").first().waitFor({ timeout: 30_000 });
    assert.equal(await page.locator("#browse-results #messages tbody tr").count(), 10);
    await page.click("#browse-older");
    await page.locator("#browse-results #messages tbody tr").nth(19).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator("#browse-results #messages img, #browse-results #messages script").count(), 0);
    await shot("17-messages-by-time");
  });

  test("browser: the address diagnostics and broker pages render", async () => {
    await page.goto(`${CONSOLE_URL}/#/diagnostics`);
    await page.locator("#diagnostics tbody tr").first().waitFor({ timeout: 30_000 });
    assert.equal(await page.locator("#diagnostics .bad").count(), 0, await page.locator("#diagnostics").innerText());
    await shot("13-addresses");
    await page.goto(`${CONSOLE_URL}/#/cluster`);
    await page.locator("#brokers a").first().click();
    await page.locator("text=Configuration").waitFor();
    await shot("14-broker");
  });

  test("browser: the charts follow a load: messages in per broker, the busiest topic, the group's lag rising and falling once consumed", async () => {
    /** Reloads `url` until its chart `id` satisfies `until` (the figure's data-* attributes: what it drew). */
    const chart = async (url: string, id: string, until: (f: { max: number; last: number; series: string[] }) => boolean) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        await open(url);
        const figure = page.locator(`#${id}`);
        await figure.waitFor({ timeout: 15_000 });
        const drawn = {
          max: Number(await figure.getAttribute("data-max")),
          last: Number(await figure.getAttribute("data-last")),
          series: ((await figure.getAttribute("data-series")) ?? "").split(","),
        };
        if (until(drawn)) return;
        if (Date.now() > deadline) assert.fail(`${id} on ${url}: ${JSON.stringify(drawn)}`);
        await page.waitForTimeout(1500);
      }
    };
    const consumer = `${group}-consumer`;
    const groupPage = `${CONSOLE_URL}/#/group/${encodeURIComponent(consumer)}`;
    await open(groupPage);
    // What earlier tests left unconsumed (the offset reset's messages), before this load.
    const before = Number((await page.locator("#group-lag").textContent({ timeout: 10_000 }))!.replace(/,/g, ""));
    await java(["--mode", "send", "--count", "2000", "--run-id", `${runId}h`]);
    const cluster = `${CONSOLE_URL}/#/cluster?minutes=5`;
    await chart(cluster, "chart-top-topics", (f) => f.series.includes(topic) && f.max > 0);
    await chart(cluster, "chart-top-groups", (f) => f.series.includes(consumer) && f.max >= 2000);
    await chart(cluster, "chart-tps-in", (f) => f.series.length === 4 && f.max > 0);
    // uPlot drew them: the library loads under the page's Content-Security-Policy.
    assert.ok((await page.locator("#history canvas").count()) >= 5);
    await shot("18-cluster-charts");
    await chart(`${CONSOLE_URL}/#/topic/${encodeURIComponent(topic)}`, "chart-topic", (f) => f.max > 0);
    await shot("19-topic-chart");
    await open(`${CONSOLE_URL}/#/topics?${new URLSearchParams({ search: topic, kind: "normal" })}`);
    const spark = page.locator(`#topics [data-spark="${topic}"] svg`);
    await spark.waitFor({ timeout: 15_000 });
    assert.ok(Number(await spark.getAttribute("data-max")) > 0, "the topic's line in the list");
    await chart(groupPage, "chart-group", (f) => f.last >= before + 2000);
    await java(["--mode", "consume", "--count", "2000", "--run-id", `${runId}h`]);
    await chart(groupPage, "chart-group", (f) => f.last <= before && f.max >= before + 2000);
    await shot("20-group-chart");
  });

  test("browser: a traced message's page shows who sent it, when, and when each group received and consumed it", async () => {
    // With TRACE_ENABLED=true the brokers keep RMQ_SYS_TRACE_TOPIC; a client with tracing on reports every message.
    await java(["--mode", "both", "--count", "5", "--run-id", `${runId}t`, "--trace"]);
    await open(`${CONSOLE_URL}/#/messages?${new URLSearchParams({ topic, key: `${runId}t-0` })}`);
    await page.locator("#messages a").first().click(); // opens it by the broker's offset id
    const deadline = Date.now() + 60_000;
    for (;;) {
      const trace = page.locator("#trace");
      await trace.waitFor({ timeout: 15_000 });
      const text = await trace.innerText();
      if (text.includes("consumed")) {
        assert.match(text, new RegExp(`sent\\s+${group}-producer\\b`), text);
        assert.match(text, new RegExp(`delivered\\s+${group}-consumer\\s`), text);
        assert.match(text, /consumed\s.*\bok\b/, text);
        assert.match(text, /stored on \d+\.\d+\.\d+\.\d+:\d+/, text);
        break;
      }
      if (Date.now() > deadline) assert.fail(`no full trace: ${text}`);
      await page.waitForTimeout(1500);
      await page.reload();
    }
    await shot("21-message-trace");

    // The same page: the message's properties, its body as hex, and a copy sent to the consumer group alone.
    assert.match(await page.locator("#message-properties").innerText(), /UNIQ_KEY/);
    await page.selectOption("#body-view", "hex");
    const hex = Buffer.from(`${runId}t-0`)
      .toString("hex")
      .slice(0, 16)
      .replace(/(..)(?!$)/g, "$1 ");
    assert.ok((await page.locator("#message-body").innerText()).includes(hex), await page.locator("#message-body").innerText());
    await page.fill('#resend-message input[name="group"]', `${group}-consumer`);
    await page.click('#resend-message button[type="submit"]');
    assert.match(await page.locator("#resent").innerText({ timeout: 30_000 }), new RegExp(`sent to %RETRY%${group}-consumer as [0-9A-F]+`));
    await shot("22-message-details");
    // Only that group gets it again: its consumer receives the copy (the run's 5 were consumed before).
    await java(["--mode", "consume", "--count", "1", "--run-id", `${runId}t`]);
  });
}
