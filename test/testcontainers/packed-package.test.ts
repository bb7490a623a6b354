// The README's Testcontainers example, as a user runs it: a fresh project installs the `npm pack` output of this
// package (and the two npm clients), copies the example verbatim, and runs it with node --test. The install
// brings testcontainers (the peer dependency) and what it needs, and nothing only the images use.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { report } from "../integration/cluster.ts";
import { REPO_ROOT, dockerAvailability, ensureImages, sh } from "../integration/harness.ts";

const skip = await dockerAvailability();
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
/** What only the images' bundles (configurator, console) use: built from this repository, never installed by users. */
const IMAGE_ONLY = ["fastify", "pino", "env-schema", "@fastify/rate-limit"];

interface InstalledPackage {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as InstalledPackage;

/** Every package directory under `modules` (a node_modules), nested node_modules and scopes included. */
function packageDirs(modules: string): string[] {
  if (!existsSync(modules)) return [];
  return readdirSync(modules)
    .filter((entry) => !entry.startsWith("."))
    .flatMap((entry) =>
      entry.startsWith("@") ? readdirSync(join(modules, entry)).map((e) => join(modules, entry, e)) : [join(modules, entry)],
    )
    .filter((dir) => existsSync(join(dir, "package.json")))
    .flatMap((dir) => [dir, ...packageDirs(join(dir, "node_modules"))]);
}

/** The packages `name` brings into `project`, itself excluded: its dependencies, peers and theirs, as Node resolves them. */
function pulledBy(project: string, name: string): string[] {
  const seen = new Map<string, string>();
  const resolve = (from: string, dependency: string): string | undefined => {
    for (let dir = from; dir.startsWith(project); dir = dirname(dir)) {
      const candidate = join(dir, "node_modules", dependency);
      if (existsSync(join(candidate, "package.json"))) return candidate;
    }
    return undefined; // an optional dependency for another platform
  };
  const visit = (dir: string): void => {
    if (seen.has(dir)) return;
    const pkg = manifest(dir);
    seen.set(dir, `${pkg.name}@${pkg.version}`);
    for (const dependency of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies })) {
      const found = resolve(dir, dependency);
      if (found) visit(found);
    }
  };
  visit(join(project, "node_modules", name));
  return [...new Set([...seen.values()].slice(1))].sort();
}

/** The code block between the README's testcontainers-example markers. */
export function readmeExample(): { file: string; code: string } {
  const readme = readFileSync(join(REPO_ROOT, "docs", "testcontainers.md"), "utf8");
  const block = /<!-- testcontainers-example:start -->\n```js\n([\s\S]*?)```\n<!-- testcontainers-example:end -->/.exec(readme);
  assert.ok(block, "docs/testcontainers.md has the testcontainers example between its markers");
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
    tarball = join(
      project,
      readdirSync(project).find((f) => f.endsWith(".tgz"))!,
    );
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }, null, 2));
    const clients = ["ali-ons", "rocketmq-client-nodejs"].map((p) => `${p}@${packageJson.devDependencies[p]}`);
    const installed = await sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--save-dev", tarball, ...clients], {
      timeoutMs: 600_000,
      cwd: project,
    });
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
    assert.deepEqual(
      files.filter((f) => /^package\/(src|test)\//.test(f) || f.endsWith(".test.ts")),
      [],
    );
  });

  test("installing it pulls testcontainers as its peer and nothing only the images use (fastify, pino, env-schema)", () => {
    const installed = manifest(join(project, "node_modules", "rocketmq-appliance"));
    assert.deepEqual(installed.dependencies ?? {}, {}, "the module needs nothing at run time but its peer");
    assert.deepEqual(Object.keys(installed.peerDependencies ?? {}), ["testcontainers"]);
    const everywhere = packageDirs(join(project, "node_modules")).map((dir) => manifest(dir).name);
    assert.deepEqual(
      IMAGE_ONLY.filter((name) => everywhere.includes(name)),
      [],
      "image-only packages in the fresh project's node_modules",
    );
    const pulled = pulledBy(project, "rocketmq-appliance");
    assert.ok(
      pulled.some((p) => p.startsWith("testcontainers@")),
      pulled.join(", "),
    );
    report(`testcontainers: installing the packed package pulled ${pulled.length} packages: ${pulled.join(", ")}`);
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
    report(
      `testcontainers: the README example passed in a fresh project, two processes at once, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
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
    const r = await sh(
      tsc,
      [
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2023",
        "--types",
        "node",
        "--typeRoots",
        join(REPO_ROOT, "node_modules", "@types"),
        "typed.ts",
      ],
      { cwd: project },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
});
