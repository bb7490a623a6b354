// The chaos checker without a cluster: events parsed (a cut last line skipped), loss and duplicates counted, the
// longest gaps, each fault's recovery, and each mode's promise deciding whether a loss breaks the run.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  check,
  depositionWindows,
  electionsInLogs,
  missedIds,
  parseEvents,
  renderReport,
  skippedWhere,
  withFailedNodes,
  withReread,
} from "../chaos/check.ts";

const T = 1_764_800_000_000;
const lines = [
  `A 0 ${T} broker-a`,
  `R 0 ${T + 5} broker-a`,
  `E 1 ${T + 10}`,
  `N 1 ${T + 3000} FLUSH_SLAVE_TIMEOUT`,
  `A 1 ${T + 4000} broker-a`,
  `A 2 ${T + 4010} broker-b`,
  `R 2 ${T + 4020} broker-b`,
  `R 2 ${T + 9000} broker-b`,
  `R 1 ${T + 9000} broker-a`,
  `A 3 ${T + 4030} broker-a`,
  "R 3 17648", // cut off while written
].join("\n");

test("chaos check: acknowledged, lost, duplicated, gaps and each fault's recovery", () => {
  const events = parseEvents(lines);
  assert.equal(events.length, 10);
  const fault = { name: "kill", target: "broker-a", group: "broker-a", injectedAt: T + 1000, healedAt: T + 2000 };
  const r = check("2m-2s-sync", 4, events, [fault]);
  assert.equal(r.acknowledged, 4);
  assert.equal(r.storedNotAcknowledged, 1);
  assert.deepEqual([r.lost, r.lostExamples], [1, [3]]);
  assert.equal(r.duplicated, 1);
  assert.equal(r.longestSendGapMs, 4000);
  assert.equal(r.longestConsumeGapMs, 4980);
  // From the injection (T+1000) to 30 s after healing (T+32000): the last send is at T+4030, the last receive at
  // T+9000; broker-a's first acknowledged send after healing (T+2000) is at T+4000; 2 is received again at T+9000.
  assert.deepEqual(r.faults, [{ ...fault, sendStallMs: 27_970, consumeStallMs: 23_000, groupBackAfterMs: 2000, duplicated: 1 }]);
  assert.equal(r.kept, false);
  assert.match(r.why ?? "", /1 acknowledged message\(s\) lost, e\.g\. 3/);
  assert.match(renderReport(r), /BROKE its promise.*\n.*lost 1, received twice or more 1/);
  // The load told to stop at T+5000: the aftermath ends there, the quiet after it is no stall.
  const stopped = check("2m-2s-sync", 4, events, [fault], T + 5000);
  assert.deepEqual(stopped.faults, [{ ...fault, sendStallMs: 3000, consumeStallMs: 3020, groupBackAfterMs: 2000, duplicated: 0 }]);
});

test("chaos check: the async mode reports its loss without failing; unacknowledged sends always fail a run", () => {
  const events = parseEvents(lines);
  assert.equal(check("2m-2s-async", 4, events, []).kept, true);
  const short = check("2m-2s-async", 6, events, []);
  assert.equal(short.kept, false);
  assert.equal(short.why, "2 of 6 sends were never acknowledged");
});

test("chaos check: a new group's reading tells messages skipped by the run's group from messages gone from the store", () => {
  const events = parseEvents(lines);
  assert.deepEqual(missedIds(events), [3]);
  const before = check("controller", 4, events, []);
  // The new group reads 3: it is stored, and the run's group skipped it; the promise is still broken.
  const skipped = withReread(before, events, new Set([0, 1, 2, 3]));
  assert.deepEqual([skipped.lost, skipped.skipped, skipped.skippedExamples], [0, 1, [3]]);
  assert.equal(skipped.kept, false);
  assert.match(skipped.why ?? "", /1 acknowledged message\(s\) stored but never delivered to the group, e\.g\. 3/);
  assert.match(renderReport(skipped), /lost 0, stored but skipped by the group 1/);
  // Not read again either: lost; in the async mode a loss is allowed, a skip is not.
  const gone = withReread(before, events, new Set([0, 1, 2]));
  assert.deepEqual([gone.lost, gone.skipped, gone.kept], [1, 0, false]);
  assert.equal(withReread(check("2m-2s-async", 4, events, []), events, new Set([0, 1, 2])).kept, true);
  // Received by the run's group, then thrown away (a deposed master's write): the new group does not find it, so lost.
  const discarded = withReread(before, events, new Set([1, 2, 3]));
  assert.deepEqual([discarded.lost, discarded.lostExamples, discarded.skipped, discarded.kept], [1, [0], 1, false]);
  assert.match(discarded.why ?? "", /^1 acknowledged message\(s\) lost, e\.g\. 0; 1 acknowledged message\(s\) stored but never/);
});

test("chaos check: skipped messages are placed in their queues, beside what the group received there", () => {
  const events = parseEvents(
    [
      `A 0 ${T} broker-a 0@7`,
      `A 1 ${T + 1} broker-a 1@4`,
      `A 2 ${T + 2} broker-a 0@8`,
      `A 3 ${T + 3} broker-a 1@5`,
      `A 4 ${T + 4} broker-a 0@9`,
      `A 5 ${T + 5} broker-a 1@6`,
      `A 6 ${T + 6} broker-b`, // no position written: left out
      `R 0 ${T + 10} broker-a 0@7`,
      `R 1 ${T + 11} broker-a 1@4`,
      `R 5 ${T + 12} broker-a 1@6`,
    ].join("\n"),
  );
  // Queue 0 stopped after offset 7 (nothing later came); queue 1's offset jumped over 5.
  assert.deepEqual(skippedWhere(events, [2, 3, 4, 6]), [
    "broker-a queue 0: skipped 2 at offsets 8–9; the group received up to 7 before them and nothing after them",
    "broker-a queue 1: skipped 1 at offsets 5–5; the group received up to 4 before them and 1 after them, from 6",
  ]);
  const r = withReread(check("single", 7, events, []), events, new Set([0, 1, 2, 3, 4, 5, 6]));
  assert.equal(r.skippedWhere?.length, 2);
  assert.match(renderReport(r), /skipped in broker-a queue 0: skipped 2 at offsets 8–9/);
});

test("chaos check: a node that failed (out of memory, stopped) breaks every mode's promise, loss allowed or not", () => {
  const events = parseEvents(lines);
  const clean = withFailedNodes(check("2m-2s-async", 4, events, []), []);
  assert.deepEqual([clean.kept, clean.failedNodes], [true, []]);
  const oom = withFailedNodes(check("2m-2s-async", 4, events, []), ["broker-a: OOM-killed (exit 137)"]);
  assert.equal(oom.kept, false);
  assert.equal(oom.why, "nodes failed: broker-a: OOM-killed (exit 137)");
  assert.match(renderReport(oom), /nodes failed: broker-a: OOM-killed \(exit 137\)/);
  // A run that broke its promise already keeps its first reason too.
  const both = withFailedNodes(withReread(check("controller", 4, events, []), events, new Set([0, 1, 2])), ["proxy: not running (exit 1)"]);
  assert.match(both.why ?? "", /^1 acknowledged message\(s\) lost, e\.g\. 3; nodes failed: proxy: not running \(exit 1\)$/);
});

test("chaos check: an event's queue position is read when the client wrote one, and a broken one drops the line", () => {
  const events = parseEvents(
    [`A 7 ${T} broker-a 3@1042`, `R 7 ${T + 5} broker-a 3@1042`, `A 8 ${T} broker-a`, `R 8 ${T} broker-a 3@x`].join("\n"),
  );
  assert.deepEqual(
    events.map((e) => [e.kind, e.index, e.detail, e.position]),
    [
      ["A", 7, "broker-a", "3@1042"],
      ["R", 7, "broker-a", "3@1042"],
      ["A", 8, "broker-a", undefined],
    ],
  );
});

test("chaos check: controller mode may lose, and its group skip, the one write in flight per fault that can depose a running master", () => {
  const events = parseEvents(lines);
  const partition = { name: "partition", target: "broker-a-n0", group: "broker-a", injectedAt: T + 1000, healedAt: T + 2000 };
  const kill = { ...partition, name: "kill" };
  // 0 received, then thrown away; 3 skipped: one of each per partition is RocketMQ 5.5.0's window.
  const once = withReread(check("controller", 4, events, [partition]), events, new Set([1, 2, 3]));
  assert.deepEqual([once.lost, once.skipped, once.kept], [1, 1, true]);
  // Not after a kill (the old master is gone, it acknowledges nothing alone), nor twice for one partition.
  assert.equal(withReread(check("controller", 4, events, [kill]), events, new Set([1, 2, 3])).kept, false);
  const twice = withReread(check("controller", 4, events, [partition]), events, new Set([2, 3]));
  assert.match(twice.why ?? "", /^2 acknowledged message\(s\) lost, e\.g\. 0, 1 \(at most 1 allowed\)/);
  // Other modes allow none.
  assert.equal(withReread(check("dledger", 4, events, [partition]), events, new Set([1, 2, 3])).kept, false);
});

test("chaos check: controller mode may lose what a deposed master acknowledged until its replicas followed the new one", () => {
  const iso = (ms: number) => new Date(T + ms).toISOString();
  // As RocketMQ 5.5.0's brokers log an election (epoch 3): the new master at +11.2 s, the third replica and the
  // deposed master following it at +11.6 s and +12.2 s. Epoch 2 came before any partition (a kill's election).
  const logs = [
    `${iso(1_000)} INFO  [ReplicasManager_ScheduledService_1] RocketmqBroker - Begin to change to master, brokerName:broker-a, replicas:192.168.224.8:10911, new Epoch:2`,
    `${iso(11_205)} INFO  [ReplicasManager_ScheduledService_2] RocketmqBroker - Begin to change to master, brokerName:broker-a, replicas:192.168.224.5:11911, new Epoch:3\nunrelated`,
    `${iso(11_611)} INFO  [ReplicasManager_ScheduledService_3] RocketmqBroker - Begin to change to slave, brokerName=broker-a, brokerId=1, newMasterBrokerId=3, newMasterAddress=192.168.224.5:11911, newMasterEpoch=3`,
    `${iso(12_179)} INFO  [ReplicasManager_ScheduledService_2] RocketmqBroker - Begin to change to slave, brokerName=broker-a, brokerId=2, newMasterBrokerId=3, newMasterAddress=192.168.224.5:11911, newMasterEpoch=3`,
  ];
  const elections = electionsInLogs(logs);
  assert.deepEqual(elections, [
    { epoch: 2, masterAt: T + 1_000, followedAt: [] },
    { epoch: 3, masterAt: T + 11_205, followedAt: [T + 11_611, T + 12_179] },
  ]);
  const partition = { name: "partition", target: "broker-a-n0", group: "broker-a", injectedAt: T + 3_500, healedAt: T + 8_600 };
  assert.deepEqual(depositionWindows(elections, [partition]), [{ from: T + 11_205, to: T + 12_179 }]);
  // 0–2 acknowledged in the window (the producer's events a little after the broker's), 3 and 4 before any election.
  const events = parseEvents(
    [
      ...[3, 4].flatMap((i) => [`A ${i} ${T + 2_000 + i} broker-a`, `R ${i} ${T + 2_010 + i} broker-a`]),
      ...[0, 1, 2].flatMap((i) => [`A ${i} ${T + 11_300 + i * 100} broker-a`, `R ${i} ${T + 11_310 + i * 100} broker-a`]),
    ].join("\n"),
  );
  const kept = withReread(check("controller", 5, events, [partition]), events, new Set([3, 4]), elections);
  assert.deepEqual([kept.lost, kept.lostToDeposedMaster, kept.kept], [3, 3, true]);
  assert.match(renderReport(kept), /lost 3 \(3 acknowledged by a deposed master before its replicas followed the new one\)/);
  // Outside the window only the one write in flight per partition.
  const one = withReread(check("controller", 5, events, [partition]), events, new Set([0, 1, 2, 4]), elections);
  assert.deepEqual([one.lost, one.lostToDeposedMaster, one.kept], [1, undefined, true]);
  const two = withReread(check("controller", 5, events, [partition]), events, new Set([0, 1, 2]), elections);
  assert.match(two.why ?? "", /^2 acknowledged message\(s\) lost, e\.g\. 3, 4 \(at most 1 allowed\)/);
  // Not after a kill: the old master is gone and acknowledges nothing.
  const kill = { ...partition, name: "kill" };
  assert.equal(withReread(check("controller", 5, events, [kill]), events, new Set([3, 4]), elections).kept, false);
});
