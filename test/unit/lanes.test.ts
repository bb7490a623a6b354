// npm test's two lanes (test/lanes.ts): the second runs beside the first, so none of its files may start what
// publishes fixed host ports anywhere but on the lane's own address: a compose project does (ComposeProject passes
// the lane's PUBLISH_ADDR), RocketMQCluster unless given the lane's address, a raw `docker compose up` or a `-p 9876:9876` do not.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { lanes } from "../lanes.ts";

const ROOT = join(import.meta.dirname, "..", "..");

/**
 * What starts containers on fixed host ports of every interface or of 127.0.0.1, in code (a line that is a string
 * literal, as in a sample, is not): what does not publish on the lane's PUBLISH_ADDR.
 */
const FIXED_PORTS: { pattern: RegExp; unless?: RegExp }[] = [
  { pattern: /PUBLISH_ADDR:\s*["'`]/ },
  { pattern: /^(?!\s*['"`]).*new RocketMQCluster\([^)\n]*\)(?!\.withPublishAddress\(PUBLISH_ADDR\))/m },
  { pattern: /"compose",[^\n]*"up"/ },
  { pattern: /\{\s*container:\s*\d+,\s*host:\s*\d+\s*\}/ },
  { pattern: /PortBindings/ },
  { pattern: /"(-p|--publish)",\s*"[\d.:]*\d+:\d+"/ },
];
const fixedPorts = (source: string) => FIXED_PORTS.filter(({ pattern, unless }) => pattern.test(source) && !unless?.test(source));

test("every test file is in one phase (unit, lane 1, lane 2), and every pattern of the second lane matches a file", () => {
  const { unit, hostPorts, portFree, unmatched } = lanes();
  assert.deepEqual(unmatched, []);
  assert.ok(unit.length > 0 && portFree.length > 0 && hostPorts.length > 0);
  const all = [...unit, ...hostPorts, ...portFree];
  assert.equal(new Set(all).size, all.length);
  assert.ok(portFree.includes("test/testcontainers/rocketmq-cluster.test.ts"));
  assert.ok(unit.every((f) => f.startsWith("test/unit/")));
});

test("no file of the second lane starts anything on fixed host ports but on its own address", () => {
  for (const file of lanes().portFree) {
    const source = readFileSync(join(ROOT, file), "utf8");
    assert.deepEqual(
      fixedPorts(source).map((p) => String(p.pattern)),
      [],
      `${file} (second lane)`,
    );
  }
});

test("the check finds a cluster, a raw compose project and ports on every interface, not a sample in a string", () => {
  const found = (source: string) => fixedPorts(source).length > 0;
  assert.ok(!found("describeMode(twoMastersTwoSlaves('sync'), skip);"));
  assert.ok(found('new ComposeProject("p", "single", { env: { PUBLISH_ADDR: "0.0.0.0" } });'));
  assert.ok(found('  const cluster = await new RocketMQCluster("2m-2s-sync").start();'));
  assert.ok(found('  const cluster = await new RocketMQCluster("2m-2s-sync").withPublishAddress("127.0.0.2").start();'));
  assert.ok(!found('  const cluster = await new RocketMQCluster("2m-2s-sync").withPublishAddress(PUBLISH_ADDR).withTopics("T").start();'));
  assert.ok(found('dockerOk("run", "-d", "-p", "127.0.0.1:9876:9876", image);'));
  assert.ok(found('await sh("docker", ["compose", "-p", project, "up", "-d"]);'));
  assert.ok(found("new GenericContainer(image).withExposedPorts({ container: 9876, host: 9876 })"));
  assert.ok(!found("new GenericContainer(image).withExposedPorts(9876)"));
  assert.ok(!found('new ComposeProject("p", "single");'));
  assert.ok(!found('dockerOk("run", "-d", "-p", `${PUBLISH_ADDR}:20911:20911`, image);'));
  assert.ok(!found("        '  const cluster: RocketMQCluster = new RocketMQCluster(\"dledger\");',"));
  assert.ok(!found('rocketmq.mqadmin("createUser", "-u", user, "-p", password);'));
});
