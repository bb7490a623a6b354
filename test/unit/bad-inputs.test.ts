// Every row is a mistake people make (many copied from blog posts). Each must fail before the JVM starts,
// with a message that names the variable (or file:line) and the value, and says what is allowed. Secrets
// (test/unit/secrets.test.ts) and the values of unknown variables and keys are named but not shown.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { Role } from "../../src/catalogue/catalogue.ts";
import { resolveFor, GOOD_BROKER, GOOD_PROXY } from "./fixtures.ts";

interface Row {
  name: string;
  env?: Record<string, string>;
  conf?: string;
  files?: Record<string, string>;
  role?: Role;
  version?: string;
  /** Every pattern must appear in one single error message. */
  expect: RegExp[];
}

const rows: Row[] = [
  {
    name: "misspelled key from old blogs",
    env: { RMQ_BROKER_mapedFileSizeCommitLog: "1073741824" },
    expect: [/RMQ_BROKER_mapedFileSizeCommitLog/, /did you mean 'mappedFileSizeCommitLog'/],
  },
  {
    name: "mangled key from blog text",
    env: { RMQ_BROKER_autoCreateSubscriptinotallow: "true" },
    expect: [/autoCreateSubscriptinotallow/, /did you mean 'autoCreateSubscriptionGroup'/],
  },
  {
    name: "mangled key in a mounted file",
    conf: "brokerClusterName=DefaultCluster\nautoCreateSubscriptinotallow=true\n",
    expect: [/broker\.conf:2/, /did you mean 'autoCreateSubscriptionGroup'/],
  },
  {
    name: "old key name in a mounted file",
    conf: "mapedFileSizeCommitLog=1073741824\n",
    expect: [/broker\.conf:1/, /mappedFileSizeCommitLog/],
  },
  {
    name: "wrong case of an exact key",
    env: { RMQ_BROKER_brokerip1: "10.0.0.1" },
    expect: [/RMQ_BROKER_brokerip1/, /did you mean 'brokerIP1'/],
  },
  {
    name: "unknown UPPER_SNAKE alias",
    env: { RMQ_BROKER_FILE_RESERVED_TIMES: "48" },
    expect: [/RMQ_BROKER_FILE_RESERVED_TIMES/, /did you mean 'fileReservedTime'/],
  },
  {
    name: "unknown RMQ_ prefix",
    env: { RMQ_BROKR_fileReservedTime: "48" },
    expect: [/RMQ_BROKR_fileReservedTime/, /did you mean RMQ_BROKER_/],
  },
  { name: "misspelled appliance variable", env: { BROKER_ROLLE: "SLAVE" }, expect: [/BROKER_ROLLE/, /did you mean BROKER_ROLE/] },
  { name: "JAVA_OPTS is not read", env: { JAVA_OPTS: "-Xmx1g" }, expect: [/JAVA_OPTS/, /JAVA_OPT_EXT/] },
  {
    name: "number with letters",
    env: { RMQ_BROKER_fileReservedTime: "48h" },
    expect: [/RMQ_BROKER_fileReservedTime="48h"/, /whole number/],
  },
  { name: "number with a decimal point", env: { RMQ_BROKER_fileReservedTime: "4.5" }, expect: [/fileReservedTime/, /whole number/] },
  {
    name: "int out of range",
    env: { RMQ_BROKER_FILE_RESERVED_TIME: "99999999999" },
    expect: [/RMQ_BROKER_FILE_RESERVED_TIME/, /out of range/],
  },
  {
    name: "long out of range",
    env: { RMQ_BROKER_mappedFileSizeCommitLog: "99999999999999999999" },
    expect: [/mappedFileSizeCommitLog/, /out of range/],
  },
  { name: "empty number", env: { RMQ_BROKER_fileReservedTime: "" }, expect: [/fileReservedTime=""/, /whole number/] },
  { name: "trailing space on a number", env: { RMQ_BROKER_fileReservedTime: "48 " }, expect: [/fileReservedTime="48 "/, /whitespace/] },
  { name: "trailing space in a file", conf: "fileReservedTime=48 \n", expect: [/broker\.conf:1/, /whitespace/] },
  { name: "yes for a boolean", env: { RMQ_BROKER_autoCreateTopicEnable: "yes" }, expect: [/autoCreateTopicEnable="yes"/, /true or false/] },
  {
    name: "1 for a boolean",
    env: { RMQ_BROKER_AUTO_CREATE_TOPIC_ENABLE: "1" },
    expect: [/RMQ_BROKER_AUTO_CREATE_TOPIC_ENABLE="1"/, /silently read it as false/],
  },
  { name: "on for a boolean in a file", conf: "slaveReadEnable=on\n", expect: [/broker\.conf:1 slaveReadEnable/, /true or false/] },
  { name: "unknown broker role", env: { BROKER_ROLE: "MASTER" }, expect: [/BROKER_ROLE="MASTER"/, /ASYNC_MASTER, SYNC_MASTER, SLAVE/] },
  { name: "unknown flush type", env: { FLUSH_DISK_TYPE: "SYNC" }, expect: [/FLUSH_DISK_TYPE="SYNC"/, /SYNC_FLUSH/] },
  {
    name: "inline comment on an address",
    env: { BROKER_IP1: "8.130.123.101 #change to your own IP" },
    expect: [/BROKER_IP1=/, /inline comment/],
  },
  { name: "inline comment in a file", conf: "brokerIP1=192.168.1.10 # host ip\n", expect: [/broker\.conf:1 brokerIP1/, /inline comment/] },
  { name: "inline comment on a number", env: { LISTEN_PORT: "10911 # default" }, expect: [/LISTEN_PORT/, /inline comment/] },
  { name: "name server without port", env: { NAMESRV_ADDR: "namesrv" }, expect: [/NAMESRV_ADDR="namesrv"/, /no port/] },
  { name: "second name server without port", env: { NAMESRV_ADDR: "ns1:9876;ns2" }, expect: [/NAMESRV_ADDR/, /'ns2' has no port/] },
  { name: "name servers separated by commas", env: { NAMESRV_ADDR: "ns1:9876,ns2:9876" }, expect: [/NAMESRV_ADDR/, /';'/] },
  { name: "name server port out of range", env: { NAMESRV_ADDR: "ns1:98760" }, expect: [/NAMESRV_ADDR/, /outside 1\.\.65535/] },
  { name: "empty name server entry", env: { NAMESRV_ADDR: "ns1:9876;" }, expect: [/NAMESRV_ADDR/, /empty entry/] },
  { name: "missing name server", env: { NAMESRV_ADDR: "" }, expect: [/NAMESRV_ADDR/, /not set/] },
  // Compose writes `${UNSET}` as an empty value: an empty address would replace the container's own.
  { name: "empty advertised address", env: { BROKER_IP1: "" }, expect: [/BROKER_IP1=""/, /not an IP address or host name/] },
  { name: "empty broker name", env: { BROKER_NAME: "" }, expect: [/BROKER_NAME=""/, /is empty/] },
  {
    name: "slave with broker id 0",
    env: { BROKER_ROLE: "SLAVE", BROKER_ID: "0" },
    expect: [/BROKER_ROLE="SLAVE"/, /BROKER_ID="0"/, /slave/],
  },
  { name: "slave with the default broker id", env: { BROKER_ROLE: "SLAVE" }, expect: [/BROKER_ROLE="SLAVE"/, /brokerId/] },
  { name: "master with a slave id", env: { BROKER_ROLE: "SYNC_MASTER", BROKER_ID: "1" }, expect: [/BROKER_ID="1"/, /non-zero/] },
  {
    name: "listen port too low for the fast port",
    env: { LISTEN_PORT: "2" },
    expect: [/LISTEN_PORT="2"/, /fast port \(0\)/, /3\.\.65534/],
  },
  { name: "listen port too high for the HA port", env: { LISTEN_PORT: "65535" }, expect: [/LISTEN_PORT="65535"/, /HA port \(65536\)/] },
  { name: "listen port not a number", env: { LISTEN_PORT: "port" }, expect: [/LISTEN_PORT="port"/, /whole number/] },
  {
    name: "broker address with a scheme",
    env: { BROKER_IP1: "http://10.0.0.1" },
    expect: [/BROKER_IP1="http:\/\/10\.0\.0\.1"/, /IP address or host name/],
  },
  { name: "broker address with a port", env: { BROKER_IP2: "10.0.0.1:10911" }, expect: [/BROKER_IP2=/, /IP address or host name/] },
  {
    name: "same key two ways, different values",
    env: { BROKER_NAME: "broker-a", RMQ_BROKER_brokerName: "broker-b" },
    expect: [/BROKER_NAME and RMQ_BROKER_brokerName/, /"broker-a" and "broker-b"/],
  },
  {
    name: "exact and alias forms disagree",
    env: { RMQ_BROKER_fileReservedTime: "48", RMQ_BROKER_FILE_RESERVED_TIME: "72" },
    expect: [/RMQ_BROKER_FILE_RESERVED_TIME and RMQ_BROKER_fileReservedTime/, /"72" and "48"/],
  },
  { name: "a key set twice in a file", conf: "fileReservedTime=48\nfileReservedTime=72\n", expect: [/broker\.conf:2/, /line 1/] },
  {
    name: "value and _FILE variant both set",
    env: { BROKER_IP1: "10.0.0.1", BROKER_IP1_FILE: "/run/secrets/ip" },
    files: { "/run/secrets/ip": "10.0.0.2\n" },
    expect: [/BROKER_IP1 and BROKER_IP1_FILE/, /both set/],
  },
  {
    name: "_FILE variant pointing nowhere",
    env: { RMQ_BROKER_brokerClusterName_FILE: "/run/secrets/missing" },
    expect: [/RMQ_BROKER_brokerClusterName_FILE="\/run\/secrets\/missing"/, /cannot be read/],
  },
  {
    name: "bad value read from a _FILE",
    env: { LISTEN_PORT_FILE: "/run/secrets/port" },
    files: { "/run/secrets/port": "ten\n" },
    expect: [/LISTEN_PORT_FILE=<redacted> is not a whole number/],
  },
  { name: "heap size without unit", env: { JAVA_HEAP: "512" }, expect: [/JAVA_HEAP="512"/, /512m or 2g/] },
  { name: "heap size with a typo", env: { JAVA_HEAP: "1gb" }, expect: [/JAVA_HEAP="1gb"/, /512m or 2g/] },
  { name: "relative config file path", env: { RMQ_CONF_PATH: "broker.conf" }, expect: [/RMQ_CONF_PATH="broker.conf"/, /absolute path/] },
  {
    name: "config file that does not exist",
    env: { RMQ_CONF_PATH: "/etc/rocketmq/missing.conf" },
    expect: [/RMQ_CONF_PATH/, /cannot be read/],
  },
  { name: "unknown log format", env: { RMQ_LOG_FORMAT: "pretty" }, expect: [/RMQ_LOG_FORMAT="pretty"/, /text or json/] },
  {
    name: "DLedger and controller mode together",
    env: {
      RMQ_BROKER_enableDLegerCommitLog: "true",
      RMQ_BROKER_enableControllerMode: "true",
      RMQ_BROKER_dLegerGroup: "g",
      RMQ_BROKER_dLegerPeers: "n0-10.0.0.1:40911",
      RMQ_BROKER_dLegerSelfId: "n0",
      RMQ_BROKER_controllerAddr: "c:9878",
    },
    expect: [/enableDLegerCommitLog/, /enableControllerMode/, /both on/],
  },
  {
    name: "DLedger peers without ports",
    env: {
      RMQ_BROKER_enableDLegerCommitLog: "true",
      RMQ_BROKER_dLegerGroup: "g",
      RMQ_BROKER_dLegerPeers: "n0-10.0.0.1;n1-10.0.0.2",
      RMQ_BROKER_dLegerSelfId: "n0",
    },
    expect: [/RMQ_BROKER_dLegerPeers/, /n<number>-host:port/],
  },
  {
    name: "DLedger self id not among peers",
    env: {
      RMQ_BROKER_enableDLegerCommitLog: "true",
      RMQ_BROKER_dLegerGroup: "g",
      RMQ_BROKER_dLegerPeers: "n0-10.0.0.1:40911",
      RMQ_BROKER_dLegerSelfId: "n3",
    },
    expect: [/RMQ_BROKER_dLegerSelfId="n3"/, /not listed/],
  },
  {
    name: "controller mode without controllers",
    env: { RMQ_BROKER_enableControllerMode: "true" },
    expect: [/controllerAddr/, /controller mode needs/],
  },
  {
    name: "DLedger node id not n<number>",
    env: { DLEDGER_PEERS: "a-h1:40911;b-h2:40911", DLEDGER_SELF_ID: "a" },
    expect: [/DLEDGER_PEERS=/, /'a-h1:40911' that is not n<number>-host:port/],
  },
  {
    name: "DLedger id listed twice",
    env: { DLEDGER_PEERS: "n0-h1:40911;n0-h2:40911", DLEDGER_SELF_ID: "n0" },
    expect: [/DLEDGER_PEERS=/, /lists id n0 twice/],
  },
  {
    name: "DLedger without a self id",
    env: { DLEDGER_PEERS: "n0-h1:40911;n1-h2:40911" },
    expect: [/dLegerSelfId/, /is empty but enableDLegerCommitLog is true/],
  },
  {
    name: "DLedger port clashes with the broker's ports",
    env: { DLEDGER_PEERS: "n0-h1:10912;n1-h2:40911", DLEDGER_SELF_ID: "n0" },
    expect: [/DLEDGER_PEERS=.* with .*listenPort/, /DLedger port 10912, which the broker already uses/],
  },
  {
    name: "DLedger with a broker id",
    env: { DLEDGER_PEERS: "n0-h1:40911", DLEDGER_SELF_ID: "n0", BROKER_ID: "0" },
    expect: [/BROKER_ID="0"/, /ignored in DLedger mode/],
  },
  {
    name: "DLedger with a broker role",
    env: { DLEDGER_PEERS: "n0-h1:40911", DLEDGER_SELF_ID: "n0", BROKER_ROLE: "SYNC_MASTER" },
    expect: [/BROKER_ROLE="SYNC_MASTER"/, /ignored in DLedger mode/],
  },
  {
    name: "controller mode with a broker id",
    env: { CONTROLLER_ADDR: "ns1:9878", BROKER_ID: "1" },
    expect: [/BROKER_ID="1"/, /ignored in controller mode/],
  },
  {
    name: "controller addresses without ports",
    env: { CONTROLLER_ADDR: "ns1;ns2" },
    expect: [/CONTROLLER_ADDR="ns1;ns2"/, /controller mode needs/],
  },
  {
    name: "controller variable on RocketMQ 4.x",
    version: "4.9.7",
    env: { CONTROLLER_ADDR: "ns1:9878" },
    expect: [/CONTROLLER_ADDR="ns1:9878"/, /RocketMQ 4\.9\.7 does not have/],
  },
  {
    name: "haListenPort on the listen port",
    env: { LISTEN_PORT: "20911", RMQ_BROKER_haListenPort: "20911" },
    expect: [/RMQ_BROKER_haListenPort="20911" with LISTEN_PORT="20911"/, /clashes with the listen or fast port/],
  },
  {
    name: "haListenPort on the fast port",
    env: { RMQ_BROKER_haListenPort: "10909" },
    expect: [/RMQ_BROKER_haListenPort="10909"/, /clashes with the listen or fast port/],
  },
  {
    name: "haListenPort on RocketMQ 4.x",
    version: "4.9.7",
    env: { RMQ_BROKER_haListenPort: "20000" },
    expect: [/RMQ_BROKER_haListenPort="20000"/, /always listenPort\+1/],
  },
  {
    name: "embedded controller self id not listed",
    role: "namesrv",
    env: { CONTROLLER_PEERS: "n0-ns1:9878", CONTROLLER_SELF_ID: "n1" },
    expect: [/CONTROLLER_SELF_ID="n1" with CONTROLLER_PEERS/, /not listed \(n0\)/],
  },
  {
    name: "embedded controller on the name server's port",
    role: "namesrv",
    env: { CONTROLLER_PEERS: "n0-ns1:9876", CONTROLLER_SELF_ID: "n0" },
    expect: [/CONTROLLER_PEERS=.* with LISTEN_PORT|CONTROLLER_PEERS=.* with listenPort/, /name server's own port 9876/],
  },
  { name: "namesrv port out of range", role: "namesrv", env: { LISTEN_PORT: "70000" }, expect: [/LISTEN_PORT="70000"/, /1\.\.65535/] },
  {
    name: "namesrv unknown key",
    role: "namesrv",
    env: { RMQ_NAMESRV_orderMessageEnabled: "true" },
    expect: [/RMQ_NAMESRV_orderMessageEnabled/, /did you mean 'orderMessageEnable'/],
  },
  {
    name: "proxy unknown key",
    role: "proxy",
    env: { RMQ_PROXY_grpcServerPorts: "8081" },
    expect: [/RMQ_PROXY_grpcServerPorts sets unknown key/, /did you mean 'grpcServerPort'/, /a proxy key of RocketMQ 5\.5\.0/],
  },
  {
    name: "proxy key in the wrong case",
    role: "proxy",
    env: { RMQ_PROXY_rocketmqClusterName: "c1" },
    expect: [/RMQ_PROXY_rocketmqClusterName/, /did you mean 'rocketMQClusterName'/],
  },
  {
    name: "proxy unknown UPPER_SNAKE alias",
    role: "proxy",
    env: { RMQ_PROXY_REMOTING_ACCESS_ADDRESS: "10.0.0.1" },
    expect: [/RMQ_PROXY_REMOTING_ACCESS_ADDRESS/, /did you mean 'remotingAccessAddr'/],
  },
  {
    name: "misspelled proxy prefix",
    role: "proxy",
    env: { RMQ_PROXI_grpcServerPort: "8081" },
    expect: [/RMQ_PROXI_grpcServerPort/, /did you mean RMQ_PROXY_/],
  },
  {
    name: "proxy gRPC port out of range",
    role: "proxy",
    env: { GRPC_PORT: "70000" },
    expect: [/GRPC_PORT="70000"/, /not a TCP port/, /1\.\.65535/],
  },
  {
    name: "proxy remoting port not a number",
    role: "proxy",
    env: { REMOTING_PORT: "http" },
    expect: [/REMOTING_PORT="http"/, /whole number/],
  },
  {
    name: "proxy gRPC and remoting on one port",
    role: "proxy",
    env: { GRPC_PORT: "8080" },
    expect: [/GRPC_PORT="8080" with remotingListenPort/, /same port/],
  },
  {
    name: "proxy without a name server",
    role: "proxy",
    env: { NAMESRV_ADDR: "" },
    expect: [/NAMESRV_ADDR/, /not set; a proxy needs the name servers/],
  },
  {
    name: "proxy name servers separated by commas",
    role: "proxy",
    env: { NAMESRV_ADDR: "ns1:9876,ns2:9876" },
    expect: [/NAMESRV_ADDR/, /';'/],
  },
  {
    name: "proxy access address with a port",
    role: "proxy",
    env: { REMOTING_ACCESS_ADDR: "10.0.0.1:8080" },
    expect: [/REMOTING_ACCESS_ADDR="10\.0\.0\.1:8080"/, /IP address or host name/],
  },
  {
    name: "proxy in local mode",
    role: "proxy",
    env: { RMQ_PROXY_proxyMode: "local" },
    expect: [/RMQ_PROXY_proxyMode="local"/, /cluster mode only/],
  },
  {
    name: "proxy key that RocketMQ overwrites",
    role: "proxy",
    env: { RMQ_PROXY_clusterName: "c1" },
    expect: [/RMQ_PROXY_clusterName="c1"/, /overwritten at start with rocketMQClusterName/],
  },
  {
    name: "proxy boolean as yes",
    role: "proxy",
    env: { RMQ_PROXY_TLS_TEST_MODE_ENABLE: "yes" },
    expect: [/RMQ_PROXY_TLS_TEST_MODE_ENABLE="yes"/, /true or false/],
  },
  {
    name: "proxy enum value unknown",
    role: "proxy",
    env: { RMQ_PROXY_metricsExporterType: "prometheus" },
    expect: [/metricsExporterType="prometheus"/, /DISABLE, OTLP_GRPC, PROM, LOG/],
  },
  {
    name: "mounted rmq-proxy.json that is not JSON",
    role: "proxy",
    conf: '{ "grpcServerPort": 8081, }',
    expect: [/rmq-proxy\.json/, /not valid JSON/],
  },
  { name: "mounted rmq-proxy.json that is an array", role: "proxy", conf: "[]", expect: [/rmq-proxy\.json/, /not a JSON object/] },
  {
    name: "unknown key in a mounted rmq-proxy.json",
    role: "proxy",
    conf: '{\n  "rocketMQClusterName": "c1",\n  "grpcServerPorts": 8081\n}\n',
    expect: [/rmq-proxy\.json:3/, /did you mean 'grpcServerPort'/],
  },
  {
    name: "object value in a mounted rmq-proxy.json",
    role: "proxy",
    conf: '{"namesrvAddr": {"host": "ns1"}}',
    expect: [/rmq-proxy\.json:1 namesrvAddr/, /is an object/],
  },
  {
    name: "string for a number in a mounted rmq-proxy.json",
    role: "proxy",
    conf: '{\n"grpcServerPort": "80 81"\n}',
    expect: [/rmq-proxy\.json:2 grpcServerPort="80 81"/, /whole number/],
  },
  {
    name: "a key set twice in a mounted rmq-proxy.json",
    role: "proxy",
    conf: '{"grpcServerPort": 8081,\n "grpcServerPort": 9081}',
    expect: [/rmq-proxy\.json:2/, /line 1/],
  },
];

test("the table has at least 40 bad inputs", () => {
  assert.ok(rows.length >= 40, `${rows.length} rows`);
});

for (const row of rows) {
  test(`rejects: ${row.name}`, () => {
    const role = row.role ?? "broker";
    const good = { broker: GOOD_BROKER, namesrv: {}, proxy: GOOD_PROXY }[role];
    const env = { ...good, ...row.env };
    const result = resolveFor(role, env, { conf: row.conf, files: row.files, version: row.version });
    assert.ok(result.errors.length > 0, `expected an error, got none (settings: ${JSON.stringify([...result.settings.keys()])})`);
    const matching = result.messages.find((m) => row.expect.every((re) => re.test(m)));
    assert.ok(matching, `no single message matches ${row.expect.join(" & ")}; messages:\n  ${result.messages.join("\n  ")}`);
  });
}

test("rejects: a proxy for RocketMQ 4.x, which has none", () => {
  assert.throws(
    () => resolveFor("proxy", GOOD_PROXY, { version: "4.9.7" }),
    /RocketMQ 4\.9\.7 has no proxy: .*ships with RocketMQ 5\.x; versions with one: 5\.5\.0/,
  );
});

test("all errors are reported at once, not just the first", () => {
  const result = resolveFor("broker", { ...GOOD_BROKER, BROKER_ROLE: "MASTER", LISTEN_PORT: "x", RMQ_BROKER_mapedFileSizeCommitLog: "1" });
  assert.equal(result.errors.length, 3, result.messages.join("\n"));
});

test("rejects: a _FILE variable or RMQ_CONF_PATH naming /dev/zero, read up to a bound rather than forever", () => {
  const cli = new URL("../../src/entrypoint/cli.ts", import.meta.url).pathname;
  const run = spawnSync(process.execPath, [cli, "validate"], {
    env: {
      PATH: process.env.PATH,
      RMQ_ROLE: "broker",
      RMQ_VERSION: "5.5.0",
      NAMESRV_ADDR: "namesrv:9876",
      BROKER_NAME_FILE: "/dev/zero",
      RMQ_CONF_PATH: "/dev/zero",
    },
    encoding: "utf8",
    timeout: 30_000,
  });
  const output = `${run.stdout}${run.stderr}`;
  assert.equal(run.status, 2, output);
  assert.match(output, /BROKER_NAME_FILE="\/dev\/zero" names a file that cannot be read or is larger than 1048576 bytes/);
  assert.match(output, /RMQ_CONF_PATH="\/dev\/zero" names a file that cannot be read or is larger than 1048576 bytes/);
});
