import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveFor, GOOD_BROKER, GOOD_PROXY } from "./fixtures.ts";
import { archiveCandidates, renderAnnotated, renderConfFile, renderArgFile, jvmArguments } from "../../src/configurator/render.ts";
import { parseJsonConfig } from "../../src/configurator/json-config.ts";
import { escapePropertyValue, parseProperties } from "../../src/configurator/properties.ts";
import { brokerPortsOf } from "../../src/configurator/semantics.ts";
import { ROLES, loadCatalogue, rolesOf, upperSnake } from "../../src/catalogue/catalogue.ts";

const value = (r: ReturnType<typeof resolveFor>, key: string) => r.settings.get(key)?.value;

test("a broker with only NAMESRV_ADDR gets working defaults", () => {
  const r = resolveFor("broker", GOOD_BROKER);
  assert.deepEqual(r.errors, []);
  assert.equal(value(r, "namesrvAddr"), "namesrv:9876");
  assert.equal(value(r, "brokerIP1"), "172.18.0.3");
  assert.equal(value(r, "brokerIP2"), "172.18.0.3");
  assert.equal(value(r, "brokerName"), "broker-a");
  assert.equal(value(r, "listenPort"), "10911");
  assert.equal(value(r, "storePathRootDir"), "/home/rocketmq/store");
});

test("exact camelCase and UPPER_SNAKE forms both map to the catalogue key", () => {
  const r = resolveFor("broker", {
    ...GOOD_BROKER,
    RMQ_BROKER_fileReservedTime: "48",
    RMQ_BROKER_DLEGER_GROUP: "g",
    RMQ_BROKER_BROKER_IP1: "10.1.2.3",
  });
  assert.deepEqual(r.messages, []);
  assert.equal(value(r, "fileReservedTime"), "48");
  assert.equal(value(r, "dLegerGroup"), "g");
  assert.equal(value(r, "brokerIP1"), "10.1.2.3");
});

test("the same value given two ways is accepted", () => {
  const r = resolveFor("broker", { ...GOOD_BROKER, BROKER_NAME: "b", RMQ_BROKER_brokerName: "b", RMQ_BROKER_BROKER_NAME: "b" });
  assert.deepEqual(r.messages, []);
  assert.equal(value(r, "brokerName"), "b");
});

test("setting BROKER_IP1 alone also sets BROKER_IP2 (one variable per host)", () => {
  const r = resolveFor("broker", { ...GOOD_BROKER, BROKER_IP1: "192.168.1.20" });
  assert.equal(value(r, "brokerIP2"), "192.168.1.20");
  const s = resolveFor("broker", { ...GOOD_BROKER, BROKER_IP1: "192.168.1.20", BROKER_IP2: "10.0.0.20" });
  assert.equal(value(s, "brokerIP2"), "10.0.0.20");
});

test("precedence: appliance defaults < mounted file < variables", () => {
  const r = resolveFor(
    "broker",
    { ...GOOD_BROKER, RMQ_BROKER_fileReservedTime: "24" },
    {
      conf: "# a comment\nfileReservedTime=48\nbrokerName=from-file\ndeleteWhen=04\n",
    },
  );
  assert.deepEqual(r.messages, []);
  assert.equal(value(r, "fileReservedTime"), "24");
  assert.deepEqual(r.settings.get("fileReservedTime")?.source, { kind: "env", variable: "RMQ_BROKER_fileReservedTime" });
  assert.equal(value(r, "brokerName"), "from-file");
  assert.deepEqual(r.settings.get("brokerName")?.source, { kind: "file", path: "/etc/rocketmq/broker.conf", line: 3 });
});

test("enum case is normalised, and the log says so", () => {
  const r = resolveFor("broker", { ...GOOD_BROKER, BROKER_ROLE: "slave", BROKER_ID: "1", FLUSH_DISK_TYPE: "sync_flush" });
  assert.deepEqual(r.messages, []);
  assert.equal(value(r, "brokerRole"), "SLAVE");
  assert.equal(value(r, "flushDiskType"), "SYNC_FLUSH");
  assert.ok(
    r.notices.some((n) => n.includes("BROKER_ROLE") && n.includes("'slave' to 'SLAVE'")),
    r.notices.join("\n"),
  );
});

test("booleans accept any case of true/false, normalised", () => {
  const r = resolveFor("broker", { ...GOOD_BROKER, RMQ_BROKER_autoCreateTopicEnable: "FALSE" });
  assert.equal(value(r, "autoCreateTopicEnable"), "false");
});

test("_FILE variants read the value from a file", () => {
  const r = resolveFor("broker", { NAMESRV_ADDR_FILE: "/run/secrets/ns" }, { files: { "/run/secrets/ns": "ns1:9876;ns2:9876\n" } });
  assert.deepEqual(r.messages, []);
  assert.equal(value(r, "namesrvAddr"), "ns1:9876;ns2:9876");
  assert.deepEqual(r.settings.get("namesrvAddr")?.source, { kind: "env", variable: "NAMESRV_ADDR_FILE" });
});

test("variables meant for the other image are ignored with a notice, unrelated variables silently", () => {
  const r = resolveFor("broker", { ...GOOD_BROKER, RMQ_NAMESRV_orderMessageEnable: "true", HOSTNAME: "abc", PATH: "/bin" });
  assert.deepEqual(r.messages, []);
  assert.ok(r.notices.some((n) => n.includes("RMQ_NAMESRV_orderMessageEnable")));
});

test("a namesrv needs nothing and keeps its state on the store volume", () => {
  const r = resolveFor("namesrv", {});
  assert.deepEqual(r.messages, []);
  assert.equal(value(r, "listenPort"), "9876");
  assert.equal(value(r, "kvConfigPath"), "/home/rocketmq/store/namesrv/kvConfig.json");
});

test("keys the chosen RocketMQ version does not have are rejected", () => {
  const r = resolveFor(
    "broker",
    { ...GOOD_BROKER, RMQ_BROKER_enableControllerMode: "true", RMQ_BROKER_controllerAddr: "c:9878" },
    { version: "4.9.7" },
  );
  assert.ok(
    r.messages.some((m) => m.includes("RMQ_BROKER_enableControllerMode") && m.includes("RocketMQ 4.9.7")),
    r.messages.join("\n"),
  );
});

test("ports: fast = listen-2, HA = listen+1 unless haListenPort is set", () => {
  const r = resolveFor("broker", { ...GOOD_BROKER, LISTEN_PORT: "20911" });
  assert.deepEqual(brokerPortsOf(r.settings), { listen: 20911, fast: 20909, ha: 20912 });
  const moved = resolveFor("broker", { ...GOOD_BROKER, LISTEN_PORT: "20911", RMQ_BROKER_haListenPort: "30000" });
  assert.deepEqual(moved.messages, []);
  assert.deepEqual(brokerPortsOf(moved.settings), { listen: 20911, fast: 20909, ha: 30000 });
});

test("the rendered file is sorted key=value lines that parse back to the same settings", () => {
  const r = resolveFor("broker", { ...GOOD_BROKER, RMQ_BROKER_messageDelayLevel: "1s 5s 10s" });
  const text = renderConfFile(r);
  const parsed = parseProperties(text);
  assert.deepEqual(
    parsed.map((p) => p.key),
    [...r.settings.keys()].sort(),
  );
  assert.equal(parsed.find((p) => p.key === "messageDelayLevel")?.value, "1s 5s 10s");
});

test("print-config says where each value came from, on comment lines only", () => {
  const r = resolveFor("broker", { ...GOOD_BROKER, BROKER_ROLE: "SYNC_MASTER" });
  const text = renderAnnotated(r);
  assert.match(text, /# from BROKER_ROLE\nbrokerRole=SYNC_MASTER\n/);
  assert.match(text, /# from appliance default: this container's address on its network\nbrokerIP1=172\.18\.0\.3\n/);
  for (const line of text.split("\n").filter((l) => l && !l.startsWith("#"))) assert.doesNotMatch(line, /#/);
});

test("properties parsing follows java.util.Properties", () => {
  const parsed = parseProperties("a=1\n  b : 2\n! bang comment\nc 3\nd=x\\\n   y\ne=\\u0041\\tB\n#c=ignored\n");
  assert.deepEqual(
    parsed.map((p) => [p.key, p.value, p.line]),
    [
      ["a", "1", 1],
      ["b", "2", 2],
      ["c", "3", 4],
      ["d", "xy", 5],
      ["e", "A\tB", 7],
    ],
  );
});

test("properties are written as Properties.store writes them: non-ASCII as \\uXXXX, since RocketMQ reads ISO-8859-1", () => {
  // What java.util.Properties.store writes for these values.
  assert.equal(escapePropertyValue(" a\\b\tc\fd\u0001é€😀 "), "\\ a\\\\b\\tc\\fd\\u0001\\u00E9\\u20AC\\uD83D\\uDE00 ");
  const r = resolveFor("broker", {
    ...GOOD_BROKER,
    BROKER_NAME: "brøker-ä",
    RMQ_BROKER_initAuthenticationUser: '{"username":"ops","password":"pässwörd-1"}',
  });
  assert.deepEqual(r.messages, []);
  const text = renderConfFile(r);
  assert.match(text, /^brokerName=br\\u00F8ker-\\u00E4$/m);
  assert.ok(/^[\x20-\x7e\n]*$/.test(text), "the file is printable ASCII");
  const parsed = new Map(parseProperties(text).map((p) => [p.key, p.value]));
  assert.equal(parsed.get("brokerName"), "brøker-ä");
  assert.equal(parsed.get("initAuthenticationUser"), '{"username":"ops","password":"pässwörd-1"}');
  // print-config is for people: the value as written.
  assert.match(renderAnnotated(r), /^brokerName=brøker-ä$/m);
});

test("argfile quoting survives spaces, quotes and backslashes", () => {
  assert.equal(renderArgFile(["-Da=b c", 'x"y', "p\\q"]), '"-Da=b c"\n"x\\"y"\n"p\\\\q"\n');
});

test("JVM arguments: heap, direct memory, JAVA_OPT_EXT last before the main class", () => {
  const args = jvmArguments(
    "broker",
    { heap: "400m", directMemory: "200m", decision: "" },
    { rocketmqHome: "/opt/rocketmq", logbackFile: "/x.xml", confFile: "/tmp/rocketmq/broker.conf" },
    "-Xmx512m -Dfoo=bar",
  );
  assert.ok(args.includes("-Xms400m") && args.includes("-XX:MaxDirectMemorySize=200m"));
  const main = args.indexOf("org.apache.rocketmq.broker.BrokerStartup");
  assert.deepEqual(args.slice(main - 2), [
    "-Xmx512m",
    "-Dfoo=bar",
    "org.apache.rocketmq.broker.BrokerStartup",
    "-c",
    "/tmp/rocketmq/broker.conf",
  ]);
});

test("JVM arguments: names are looked up afresh (1 s cache: a restarted container may get another node's old address), JAVA_OPT_EXT may say otherwise", () => {
  const layout = { rocketmqHome: "/opt/rocketmq", logbackFile: "/x.xml", confFile: "/tmp/rocketmq/broker.conf" };
  const args = jvmArguments("broker", { heap: "256m", decision: "" }, layout, "-Dsun.net.inetaddr.ttl=30");
  const at = args.indexOf("-Dsun.net.inetaddr.ttl=1");
  assert.ok(at > 0 && at < args.indexOf("-Dsun.net.inetaddr.ttl=30"), args.join(" "));
});

test("JVM arguments: the role's class-data-sharing archive when the image has one, before JAVA_OPT_EXT (which may turn it off)", () => {
  const layout = { rocketmqHome: "/opt/rocketmq", logbackFile: "/x.xml", confFile: "/tmp/rocketmq/namesrv.conf" };
  const memory = { heap: "256m", decision: "" };
  const withArchive = jvmArguments("namesrv", memory, { ...layout, cdsArchive: "/opt/rocketmq/cds/namesrv.jsa" }, "-Xshare:off");
  const at = withArchive.indexOf("-XX:SharedArchiveFile=/opt/rocketmq/cds/namesrv.jsa");
  assert.ok(at > 0 && at < withArchive.indexOf("-Xshare:off"), withArchive.join(" "));
  assert.ok(!jvmArguments("namesrv", memory, layout, undefined).some((a) => a.startsWith("-XX:SharedArchiveFile")));
});

test("class-data sharing: a role maps its own archive first, else one made on its class path (name server and broker share one; the proxy's jars come first)", () => {
  assert.deepEqual(archiveCandidates("namesrv"), ["namesrv", "broker"]);
  assert.deepEqual(archiveCandidates("broker"), ["broker", "namesrv"]);
  assert.deepEqual(archiveCandidates("proxy"), ["proxy"]);
});

test("every catalogue key has an UPPER_SNAKE alias that maps back to it", () => {
  for (const role of ROLES) {
    const catalogue = loadCatalogue("5.5.0", role);
    for (const key of catalogue.keys.keys()) assert.equal(catalogue.fromAlias(upperSnake(key)), key, `${role} ${key} → ${upperSnake(key)}`);
  }
});

test("DLEDGER_PEERS turns DLedger on and names the group after the broker group", () => {
  const r = resolveFor("broker", {
    ...GOOD_BROKER,
    BROKER_NAME: "broker-x",
    DLEDGER_PEERS: "n0-a:40911;n1-b:40911;n2-c:40911",
    DLEDGER_SELF_ID: "n1",
  });
  assert.deepEqual(r.messages, []);
  assert.equal(value(r, "enableDLegerCommitLog"), "true");
  assert.equal(value(r, "dLegerGroup"), "broker-x");
  assert.equal(value(r, "dLegerSelfId"), "n1");
});

test("CONTROLLER_ADDR turns controller mode on; the controller assigns ids and roles", () => {
  const r = resolveFor("broker", { ...GOOD_BROKER, CONTROLLER_ADDR: "ns1:9878;ns2:9878" });
  assert.deepEqual(r.messages, []);
  assert.equal(value(r, "enableControllerMode"), "true");
  assert.equal(value(r, "brokerId"), "-1");
  assert.equal(value(r, "brokerRole"), "SLAVE");
});

test("CONTROLLER_PEERS starts a controller in the name server, stored on the volume", () => {
  const r = resolveFor("namesrv", { CONTROLLER_PEERS: "n0-ns1:9878;n1-ns2:9878;n2-ns3:9878", CONTROLLER_SELF_ID: "n2" });
  assert.deepEqual(r.messages, []);
  assert.equal(value(r, "enableControllerInNamesrv"), "true");
  assert.equal(value(r, "controllerDLegerGroup"), "controller");
  assert.equal(value(r, "controllerStorePath"), "/home/rocketmq/store/controller");
});

test("a 5.x SYNC_MASTER waits for its slave (inSyncReplicas=2) unless told otherwise; 4.x has no such key", () => {
  const r = resolveFor("broker", { ...GOOD_BROKER, BROKER_ROLE: "SYNC_MASTER" });
  assert.deepEqual(r.messages, []);
  assert.equal(value(r, "inSyncReplicas"), "2");
  assert.equal(
    value(resolveFor("broker", { ...GOOD_BROKER, BROKER_ROLE: "SYNC_MASTER", RMQ_BROKER_inSyncReplicas: "1" }), "inSyncReplicas"),
    "1",
  );
  assert.equal(value(resolveFor("broker", { ...GOOD_BROKER, BROKER_ROLE: "ASYNC_MASTER" }), "inSyncReplicas"), undefined);
  assert.equal(
    value(resolveFor("broker", { ...GOOD_BROKER, BROKER_ROLE: "SYNC_MASTER" }, { version: "4.9.7" }), "inSyncReplicas"),
    undefined,
  );
});

test("a proxy with only NAMESRV_ADDR gets cluster mode, the container's address and RocketMQ's ports", () => {
  const r = resolveFor("proxy", GOOD_PROXY);
  assert.deepEqual(r.messages, []);
  assert.equal(value(r, "namesrvAddr"), "namesrv:9876");
  assert.equal(value(r, "remotingAccessAddr"), "172.18.0.3");
  assert.equal(value(r, "proxyMode"), "cluster");
  assert.equal(value(r, "useEndpointPortFromRequest"), "true");
  assert.equal(value(r, "grpcServerPort"), undefined, "RocketMQ's 8081 is kept, not repeated");
});

test("the proxy's short variables map to ProxyConfig keys", () => {
  const r = resolveFor("proxy", {
    ...GOOD_PROXY,
    BROKER_CLUSTER_NAME: "c1",
    GRPC_PORT: "9081",
    REMOTING_PORT: "9080",
    REMOTING_ACCESS_ADDR: "proxy.example.com",
  });
  assert.deepEqual(r.messages, []);
  assert.equal(value(r, "rocketMQClusterName"), "c1");
  assert.equal(value(r, "grpcServerPort"), "9081");
  assert.equal(value(r, "remotingListenPort"), "9080");
  assert.equal(value(r, "remotingAccessAddr"), "proxy.example.com");
});

test("the proxy's rmq-proxy.json is valid JSON with each value typed as its key", () => {
  const r = resolveFor("proxy", {
    ...GOOD_PROXY,
    GRPC_PORT: "09081",
    RMQ_PROXY_TLS_TEST_MODE_ENABLE: "FALSE",
    RMQ_PROXY_grpcShutdownTimeSeconds: "9007199254740993",
    RMQ_PROXY_metricsExporterType: "prom",
    RMQ_PROXY_proxyName: "true",
  });
  assert.deepEqual(r.messages, []);
  const text = renderConfFile(r);
  const json = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), [...r.settings.keys()].sort());
  assert.equal(json.grpcServerPort, 9081);
  assert.equal(json.tlsTestModeEnable, false);
  assert.equal(json.useEndpointPortFromRequest, true);
  assert.equal(json.metricsExporterType, "PROM");
  assert.equal(json.proxyName, "true", "a string key keeps a string, whatever it looks like");
  assert.equal(json.namesrvAddr, "namesrv:9876");
  assert.match(text, /"grpcShutdownTimeSeconds": 9007199254740993,/, "a long is written exactly");
});

test("print-config for the proxy: dropping the comment lines gives the JSON file", () => {
  const r = resolveFor("proxy", { ...GOOD_PROXY, GRPC_PORT: "9081" });
  const text = renderAnnotated(r);
  assert.match(text, /^# effective rmq-proxy\.json for RocketMQ 5\.5\.0/);
  assert.match(text, /# from GRPC_PORT\n {2}"grpcServerPort": 9081,\n/);
  assert.equal(
    text
      .split("\n")
      .filter((l) => !l.startsWith("#"))
      .join("\n"),
    renderConfFile(r),
  );
});

test("a mounted rmq-proxy.json is read with line numbers; variables win over it", () => {
  const conf = '{\n  "grpcServerPort": 9000,\n  "rocketMQClusterName": "from-file",\n  "enableAclRpcHookForClusterMode": true\n}\n';
  const r = resolveFor("proxy", { ...GOOD_PROXY, GRPC_PORT: "9100" }, { conf });
  assert.deepEqual(r.messages, []);
  assert.equal(value(r, "grpcServerPort"), "9100");
  assert.equal(value(r, "rocketMQClusterName"), "from-file");
  assert.deepEqual(r.settings.get("rocketMQClusterName")?.source, { kind: "file", path: "/etc/rocketmq/rmq-proxy.json", line: 3 });
  assert.equal(value(r, "enableAclRpcHookForClusterMode"), "true");
});

test("JSON config parsing keeps lines and values as written", () => {
  const parsed = parseJsonConfig('{"a": "x\\"y", "b": 12345678901234567890,\n\n "c": [1, {"d": 2}],\n "e": null, "f": false}');
  assert.ok("entries" in parsed);
  assert.deepEqual(
    parsed.entries.map((e) => [e.key, e.value, e.line, e.unsupported]),
    [
      ["a", 'x"y', 1, undefined],
      ["b", "12345678901234567890", 1, undefined],
      ["c", "", 3, "an array"],
      ["e", "", 4, "null"],
      ["f", "false", 4, undefined],
    ],
  );
});

test("variables for other images are ignored with a notice that names them", () => {
  const proxy = resolveFor("proxy", { ...GOOD_PROXY, BROKER_NAME: "broker-a", LISTEN_PORT: "10911", RMQ_BROKER_fileReservedTime: "48" });
  assert.deepEqual(proxy.messages, []);
  assert.ok(proxy.notices.includes("BROKER_NAME is for the broker image; ignored here"), proxy.notices.join("\n"));
  assert.ok(proxy.notices.includes("LISTEN_PORT is for the broker and namesrv images; ignored here"), proxy.notices.join("\n"));
  const broker = resolveFor("broker", { ...GOOD_BROKER, GRPC_PORT: "8081", RMQ_PROXY_proxyName: "p" });
  assert.deepEqual(broker.messages, []);
  assert.ok(broker.notices.includes("GRPC_PORT is for the proxy image; ignored here"), broker.notices.join("\n"));
  assert.ok(broker.notices.includes("RMQ_PROXY_proxyName is for the proxy image; ignored here"), broker.notices.join("\n"));
});

test("JVM arguments for the proxy: its own jars first, ProxyStartup in cluster mode with the JSON file", () => {
  const args = jvmArguments(
    "proxy",
    { heap: "384m", directMemory: "128m", decision: "" },
    { rocketmqHome: "/opt/rocketmq", logbackFile: "/opt/rocketmq/conf/rmq.proxy.logback.xml", confFile: "/tmp/rocketmq/rmq-proxy.json" },
    undefined,
  );
  assert.equal(args[args.indexOf("-cp") + 1], "/opt/rocketmq/lib-proxy/*:/opt/rocketmq/lib/*");
  assert.ok(args.includes("-Drmq.logback.configurationFile=/opt/rocketmq/conf/rmq.proxy.logback.xml"));
  assert.deepEqual(args.slice(args.indexOf("org.apache.rocketmq.proxy.ProxyStartup")), [
    "org.apache.rocketmq.proxy.ProxyStartup",
    "-pc",
    "/tmp/rocketmq/rmq-proxy.json",
    "-pm",
    "cluster",
  ]);
});

test("RocketMQ 4.x has no proxy catalogue, 5.x has one", () => {
  assert.deepEqual(rolesOf("4.9.7"), ["broker", "namesrv"]);
  assert.deepEqual(rolesOf("5.5.0"), ["broker", "namesrv", "proxy"]);
  assert.throws(() => loadCatalogue("4.9.7", "proxy"), /RocketMQ 4\.9\.7 has no proxy/);
});
