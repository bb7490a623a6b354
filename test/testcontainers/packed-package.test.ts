// The README's Testcontainers example, as a user runs it: a fresh project installs the `npm pack` output of this
// package (and the two npm clients), copies the example verbatim, and runs it with node --test.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { report } from "../integration/cluster.ts";
import { REPO_ROOT, dockerAvailability, ensureImages, sh } from "../integration/harness.ts";

const skip = await dockerAvailability();
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };

/** The code block between the README's testcontainers-example markers. */
export function readmeExample(): { file: string; code: string } {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const block = /<!-- testcontainers-example:start -->\n```js\n([\s\S]*?)```\n<!-- testcontainers-example:end -->/.exec(readme);
  assert.ok(block, "README.md has the testcontainers example between its markers");
  const code = block[1]!;
  const file = /^\/\/ (\S+\.m?js)$/m.exec(code)?.[1];
  assert.ok(file, "the example's first line names its file");
  return { file, code };
}

describe("the packed package in a fresh project", { skip }, () => {
  const project = mkdtempSync(join(tmpdir(), "rocketmq-appliance-user-"));
  let tarball: string;

  before(async () => {
    await ensureImages();
    const packed = await sh("npm", ["pack", "--pack-destination", project, "--silent"], { timeoutMs: 300_000 });
    assert.equal(packed.code, 0, packed.stdout + packed.stderr);
    tarball = join(project, readdirSync(project).find((f) => f.endsWith(".tgz"))!);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }, null, 2));
    const clients = ["ali-ons", "rocketmq-client-nodejs"].map((p) => `${p}@${packageJson.devDependencies[p]}`);
    const installed = await sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--save-dev", tarball, ...clients], { timeoutMs: 600_000, cwd: project });
    assert.equal(installed.code, 0, installed.stdout + installed.stderr);
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  test("the tarball holds the built module, the compose files and env files, and no sources or tests", async () => {
    const listing = await sh("tar", ["tzf", tarball]);
    const files = listing.stdout.split("\n").filter(Boolean);
    assert.ok(files.includes("package/dist/testcontainers/index.js"));
    assert.ok(files.includes("package/dist/testcontainers/index.d.ts"));
    assert.ok(files.includes("package/compose/2m-2s-sync.yml"));
    assert.ok(files.includes("package/env/2m-2s-sync/broker-a.env"));
    assert.deepEqual(files.filter((f) => /^package\/(src|test)\//.test(f) || f.endsWith(".test.ts")), []);
  });

  test("the README's example passes with node --test, in two test processes at once", async () => {
    const { file, code } = readmeExample();
    mkdirSync(join(project, "test"), { recursive: true });
    writeFileSync(join(project, file), code);
    const started = Date.now();
    const runs = await Promise.all(
      [1, 2].map(() =>
        sh(process.execPath, ["--test", "--test-force-exit", file], {
          timeoutMs: 300_000,
          cwd: project,
          // Set by this test runner for its own children; the user's run is a top-level one.
          env: { NODE_TEST_CONTEXT: undefined },
        }),
      ),
    );
    for (const r of runs) {
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /# pass 2\b/);
      assert.match(r.stdout, /# fail 0\b/);
    }
    report(`testcontainers: the README example passed in a fresh project, two processes at once, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  test("the module's types resolve in the fresh project", async () => {
    writeFileSync(
      join(project, "typed.ts"),
      [
        'import { RocketMQContainer, RocketMQCluster, type StartedRocketMQContainer } from "rocketmq-appliance/testcontainers";',
        "export async function start(): Promise<StartedRocketMQContainer> {",
        '  const cluster: RocketMQCluster = new RocketMQCluster("dledger").withRocketMQVersion("5.5.0");',
        "  void cluster;",
        '  return new RocketMQContainer().withBrokerConfig({ fileReservedTime: 48 }).withTopics("a").start();',
        "}",
        "",
      ].join("\n"),
    );
    const tsc = join(REPO_ROOT, "node_modules", ".bin", "tsc");
    const r = await sh(tsc, ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2023", "--types", "node", "--typeRoots", join(REPO_ROOT, "node_modules", "@types"), "typed.ts"], { cwd: project });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
});
