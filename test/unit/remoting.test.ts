import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFastjson } from "../../src/remoting/fastjson.ts";
import { decodeFrames, encodeRequest } from "../../src/remoting/client.ts";
import { clusterMasters, type ClusterInfo } from "../../src/remoting/cluster.ts";

test("fastjson's numeric and object map keys are read", () => {
  const clusterInfo = '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"172.18.0.3:10911",1:"172.18.0.4:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}';
  const parsed = parseFastjson(clusterInfo) as { brokerAddrTable: Record<string, { brokerAddrs: Record<string, string> }> };
  assert.deepEqual(parsed.brokerAddrTable["broker-a"]!.brokerAddrs, { "0": "172.18.0.3:10911", "1": "172.18.0.4:10911" });
  const stats = parseFastjson('{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{"brokerOffset":5}},"consumeTps":0.0}') as { offsetTable: Record<string, unknown> };
  assert.deepEqual(Object.keys(stats.offsetTable), ['{"brokerName":"b","queueId":0,"topic":"t"}']);
  assert.throws(() => parseFastjson("{0:}"), /fastjson/);
});

test("a request frame decodes back, split across reads or not", () => {
  const frame = encodeRequest(106, 7, { a: "b" });
  assert.equal(frame.readInt32BE(0), frame.length - 4);
  const whole = decodeFrames(Buffer.concat([frame, frame.subarray(0, 5)]));
  assert.equal(whole.frames.length, 1);
  assert.equal(whole.frames[0]!.header.code, 106);
  assert.equal(whole.frames[0]!.header.opaque, 7);
  assert.equal(whole.rest.length, 5);
});

test("a cluster's masters are the id-0 addresses of its broker groups", () => {
  const info = parseFastjson(
    '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:11011"}},"broker-b":{"brokerAddrs":{1:"10.0.0.3:12011"}},"other":{"brokerAddrs":{0:"10.0.0.9:10911"}}},' +
      '"clusterAddrTable":{"DefaultCluster":["broker-a","broker-b"],"OtherCluster":["other"]}}',
  ) as ClusterInfo;
  assert.deepEqual(clusterMasters(info, "DefaultCluster"), ["10.0.0.1:10911"]);
  assert.deepEqual(clusterMasters(info, "OtherCluster"), ["10.0.0.9:10911"]);
  assert.deepEqual(clusterMasters(info, "Missing"), []);
  assert.deepEqual(clusterMasters({}, "DefaultCluster"), []);
});
