// The images' mqadmin script, run with a stand-in `java` that records each call and answers clusterList: a
// cluster-wide updateTopic or updateSubGroup goes to the masters (RocketMQ's tool) and then to each slave of that
// cluster alone, with the user's other arguments unchanged; RocketMQ 4 and every other command are left to the tool.
import assert from "node:assert/strict";
import { test } from "node:test";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../../docker/rootfs/opt/rocketmq/bin/mqadmin", import.meta.url));
const CLUSTER_LIST = [
  "#Cluster Name     #Broker Name  #BID  #Addr              #Version",
  "DefaultCluster    broker-a      0     10.0.0.1:10911     V5_5_0",
  "DefaultCluster    broker-a      1     10.0.0.2:10911     V5_5_0",
  "DefaultCluster    broker-b      0     10.0.0.3:10911     V5_5_0",
  "DefaultCluster    broker-b      2     10.0.0.4:10911     V5_5_0",
  "OtherCluster      broker-x      1     10.0.9.9:10911     V5_5_0",
].join("\n");

/** Runs the script; returns each call the tool got (the arguments after its main class), in sorted order. */
function run(version: string, ...args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "mqadmin-"));
  const calls = join(dir, "calls");
  writeFileSync(calls, "");
  writeFileSync(
    join(dir, "java"),
    [
      "#!/bin/sh",
      'while [ "$1" != MqadminLauncher ]; do shift; done; shift',
      `if [ "$1" = clusterList ]; then cat <<'EOF'\n${CLUSTER_LIST}\nEOF\nfi`,
      // One write per call: the script calls the slaves at once, and two writes each could interleave.
      `line=$(printf '%s|' "$@"); printf '%s\n' "$line" >> ${calls}`,
    ].join("\n"),
  );
  chmodSync(join(dir, "java"), 0o755);
  execFileSync("sh", [SCRIPT, ...args], { env: { PATH: `${dir}:/usr/bin:/bin`, RMQ_VERSION: version } });
  return readFileSync(calls, "utf8").trim().split("\n").sort();
}

test("mqadmin: updateTopic -c on RocketMQ 5 goes to the masters, then to each slave of that cluster with -b", () => {
  assert.deepEqual(run("5.5.0", "updateTopic", "-n", "ns:9876", "-c", "DefaultCluster", "-t", "My Topic", "-r", "8"), [
    "clusterList|-n|ns:9876|",
    "updateTopic|-n|ns:9876|-b|10.0.0.2:10911|-t|My Topic|-r|8|",
    "updateTopic|-n|ns:9876|-b|10.0.0.4:10911|-t|My Topic|-r|8|",
    "updateTopic|-n|ns:9876|-c|DefaultCluster|-t|My Topic|-r|8|",
  ]);
  assert.deepEqual(run("5.5.0", "updateSubGroup", "--clusterName", "DefaultCluster", "-g", "G"), [
    "clusterList|",
    "updateSubGroup|--clusterName|DefaultCluster|-g|G|",
    "updateSubGroup|-b|10.0.0.2:10911|-g|G|",
    "updateSubGroup|-b|10.0.0.4:10911|-g|G|",
  ]);
});

test("mqadmin: RocketMQ 4 (its slaves refuse), a single broker (-b) and other commands are the tool's alone", () => {
  assert.deepEqual(run("4.9.7", "updateTopic", "-c", "DefaultCluster", "-t", "T"), ["updateTopic|-c|DefaultCluster|-t|T|"]);
  assert.deepEqual(run("5.5.0", "updateTopic", "-b", "10.0.0.1:10911", "-t", "T"), ["updateTopic|-b|10.0.0.1:10911|-t|T|"]);
  assert.deepEqual(run("5.5.0", "topicList", "-c", "DefaultCluster"), ["topicList|-c|DefaultCluster|"]);
});
