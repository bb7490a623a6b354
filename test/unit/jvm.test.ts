import { test } from "node:test";
import assert from "node:assert/strict";
import { parseMemoryLimit, sizeMemory } from "../../src/configurator/jvm.ts";

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
