import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCpuQuota, parseMemoryLimit, sizeMemory } from "../../src/configurator/jvm.ts";

const GiB = 1024 ** 3;
const none = { RMQ_LOG_FORMAT: "text" as const };

test("cgroup v2 and v1 limits are read; 'max' and the v1 'unlimited' value mean no limit", () => {
  assert.equal(parseMemoryLimit("1073741824\n"), GiB);
  assert.equal(parseMemoryLimit("max\n"), undefined);
  assert.equal(parseMemoryLimit("9223372036854771712\n"), undefined);
  assert.equal(parseMemoryLimit(undefined), undefined);
});

test("a broker in 1 GiB leaves room outside heap and direct memory", () => {
  const m = sizeMemory("broker", GiB, none);
  assert.equal(m.heap, "409m");
  assert.equal(m.directMemory, "204m");
  assert.match(m.decision, /container memory limit 1024 MiB/);
});

test("floors and ceilings apply, and no limit sizes for a modest default", () => {
  assert.equal(sizeMemory("broker", 256 * 1024 ** 2, none).heap, "256m");
  assert.equal(sizeMemory("broker", 64 * GiB, none).heap, "8192m");
  assert.equal(sizeMemory("namesrv", GiB, none).heap, "512m");
  const unlimited = sizeMemory("broker", undefined, none);
  assert.equal(unlimited.heap, "1638m");
  assert.match(unlimited.decision, /no container memory limit/);
});

test("JAVA_HEAP and JAVA_DIRECT_MEMORY override, and the decision says so", () => {
  const m = sizeMemory("broker", GiB, { ...none, JAVA_HEAP: "300m", JAVA_DIRECT_MEMORY: "100m" });
  assert.equal(m.heap, "300m");
  assert.equal(m.directMemory, "100m");
  assert.match(m.decision, /JAVA_HEAP/);
});

test("a proxy in the compose file's 768 MiB: half for the heap, direct memory capped", () => {
  const m = sizeMemory("proxy", 768 * 1024 ** 2, none);
  assert.equal(m.heap, "384m");
  assert.equal(m.directMemory, "128m");
  assert.equal(sizeMemory("proxy", 4 * GiB, none).directMemory, "614m");
  assert.equal(sizeMemory("proxy", undefined, none).heap, "512m");
});

test("a broker's direct memory has room for every store-writing thread's encoder (maxMessageSize + 64 KiB each)", () => {
  const defaults = { cpus: 2, setting: () => undefined };
  // 20 pull + 16 ack + 2 send + 8 revive + 19 delay-level + 3 timer threads × 4.06 MiB, + 64 MiB: above 20% of 1 GiB.
  const m = sizeMemory("broker", GiB, none, defaults);
  assert.equal(m.directMemory, "341m");
  assert.match(m.decision, /68 store-writing threads × 4\.06 MiB \+ 64 MiB for 2 CPU/);
  // More CPUs, more pull threads; the broker's own settings count where given.
  assert.equal(sizeMemory("broker", GiB, none, { cpus: 8, setting: () => undefined }).directMemory, "398m");
  const small = { cpus: 2, setting: (k: string) => (k === "maxMessageSize" ? "1048576" : undefined) };
  assert.equal(sizeMemory("broker", GiB, none, small).directMemory, "204m");
  // A larger share wins, JAVA_DIRECT_MEMORY wins over both, and other roles have no store.
  assert.equal(sizeMemory("broker", 4 * GiB, none, defaults).directMemory, "819m");
  assert.equal(sizeMemory("broker", GiB, { ...none, JAVA_DIRECT_MEMORY: "100m" }, defaults).directMemory, "100m");
  assert.equal(sizeMemory("proxy", GiB, none, defaults).directMemory, "153m");
});

test("a CPU quota from cgroup v2 or v1 is rounded up; none when unlimited", () => {
  assert.equal(parseCpuQuota("150000 100000\n"), 2);
  assert.equal(parseCpuQuota("max 100000\n"), undefined);
  assert.equal(parseCpuQuota(undefined, "50000\n", "100000\n"), 1);
  assert.equal(parseCpuQuota(undefined, "-1\n", "100000\n"), undefined);
  assert.equal(parseCpuQuota(undefined, undefined, undefined), undefined);
});
