// `npm test`: the unit tests, then every other test file in two lanes that run side by side, one file at a time in
// each. The compose suites publish fixed host ports (9876, 10911, the console's 8082, ...) on their PUBLISH_ADDR;
// each lane has a loopback address of its own (lane 1 127.0.0.1, lane 2 127.0.0.2: test/integration/harness.ts), so
// a compose suite in each lane can run at once (RocketMQCluster too, given the lane's address). Anything else on fixed
// host ports runs in the first lane, with every file not named below. The second lane holds the files named below:
// Testcontainers' random ports, the chart's pods on a network of their own, and lighter clusters (the single mode,
// the upgrade, the secure overlay, RocketMQCluster), so they run while the first lane's clusters start and wait.
// The unit tests run first, alone: some bound how long a parse may take.
// Output: TAP, each top-level test in one piece (a lane's lines are held until its test ends), then the time table
// (test/file-times.ts) and each lane's wall time. Exit code 1 when anything failed.
import { globSync } from "node:fs";
import { join } from "node:path";
import { run } from "node:test";
import { tap } from "node:test/reporters";
import fileTimes, { type TestEvent } from "./file-times.ts";
import { prepareJavaClient } from "./clients/java-client.ts";
import { IMAGES_READY, PUBLISH_ADDR_FLAG, dockerAvailability, ensureImages } from "./integration/harness.ts";
import { DEFAULT_ROCKETMQ_VERSION } from "../src/images/versions.ts";

const UNIT = "test/unit/**/*.test.ts";

// The multi-host layouts publish no host port either, but their dozen JVMs beside a compose suite slowed both more
// than the overlap won (fresh-clone CI of 861afb9: multi-host 305 s instead of 160, 2m-2s-sync+auth 402 s instead of
// 240): they stay in the first lane. So do RocketMQ 4.9.7's modes: beside the first lane's clusters, every suite of
// both lanes slowed and the run took 2,017 s instead of 1,901.
/**
 * The second lane, longest first (but for the chart's) so that it ends before the first lane does: files that
 * publish no fixed host port but on their lane's own address.
 */
const PORT_FREE = [
  "test/integration/single.test.ts",
  "test/testcontainers/rocketmq-container.test.ts",
  // Not first: CI compiles helm while the first files run (.ci/run), and the chart's tests wait for it.
  "test/helm/pods.test.ts",
  "test/integration/secure.test.ts",
  "test/testcontainers/rocketmq-cluster.test.ts",
  "test/integration/messages.test.ts",
  "test/integration/auth.test.ts",
  "test/integration/diagnostics.test.ts",
  "test/integration/remoting.test.ts",
  "test/integration/hostile-broker.test.ts",
  "test/integration/ha-listen-port.test.ts",
  "test/integration/upgrade.test.ts",
  "test/testcontainers/packed-package.test.ts",
  "test/helm/chart.test.ts",
  // Last: it waits for the arm64 images that CI builds in the background while the tests run.
  "test/platforms/*.test.ts",
];

const ROOT = join(import.meta.dirname, "..");

/** The files of each phase, relative to the repository; `unmatched`: patterns of PORT_FREE that match no file. */
export function lanes(): { unit: string[]; hostPorts: string[]; portFree: string[]; unmatched: string[] } {
  const glob = (pattern: string) => globSync(pattern, { cwd: ROOT }).sort();
  const unit = glob(UNIT);
  const matches = PORT_FREE.map(glob);
  const portFree = [...new Set(matches.flat())];
  const hostPorts = glob("test/**/*.test.ts").filter((f) => !unit.includes(f) && !portFree.includes(f));
  return { unit, hostPorts, portFree, unmatched: PORT_FREE.filter((_, i) => matches[i]!.length === 0) };
}

/** Where each lane's compose suites publish their ports. */
const LANE_ADDRESSES = { hostPorts: "127.0.0.1", portFree: "127.0.0.2" } as const;

/** One lane's events, each file after the other, publishing on `address`; its wall time once it ends. */
async function* lane(name: string, files: string[], address: string, signal: AbortSignal, walls: string[]): AsyncGenerator<Tagged> {
  const t0 = performance.now();
  const argv = [`${PUBLISH_ADDR_FLAG}${address}`];
  const stream = run({ files: files.map((f) => join(ROOT, f)), concurrency: 1, signal, argv }) as unknown as AsyncIterable<TestEvent>;
  for await (const event of stream) yield { lane: name, event };
  walls.push(`${name}: ${files.length} files, ${((performance.now() - t0) / 1000).toFixed(1)} s wall`);
}

interface Tagged {
  lane: string;
  event: TestEvent & { data: { testNumber?: number; success?: boolean } };
}

/** The events of several lanes as they come. */
async function* merged(sources: AsyncGenerator<Tagged>[]): AsyncGenerator<Tagged> {
  const pending = new Map(sources.map((s, i) => [i, s.next().then((r) => ({ i, r }))]));
  while (pending.size > 0) {
    const { i, r } = await Promise.race(pending.values());
    if (r.done) {
      pending.delete(i);
      continue;
    }
    pending.set(
      i,
      sources[i]!.next().then((next) => ({ i, r: next })),
    );
    yield r.value;
  }
}

/**
 * The lanes' events as one TAP stream reads well: a top-level test's lines in one piece, numbered across lanes;
 * each run's own plan and counts left out (the time table counts both). Records what the table needs and failures.
 */
class Collator {
  readonly results: TestEvent[] = [];
  failed = false;
  private readonly held = new Map<string, Tagged["event"][]>();
  private topLevel = 0;

  /** The events to print now: none while the lane's top-level test runs, all of them when it ends. */
  take({ lane, event }: Tagged): Tagged["event"][] {
    const { type, data } = event;
    if (type === "test:pass" || type === "test:fail") this.results.push(event);
    if (type === "test:fail" && data.todo === undefined && data.skip === undefined) this.failed = true;
    if (type === "test:summary" && data.success === false) this.failed = true;
    if (type === "test:summary" || isRunCount(event)) return [];
    const held = this.held.get(lane) ?? [];
    this.held.set(lane, held);
    held.push(event);
    if (!((type === "test:pass" || type === "test:fail") && data.nesting === 0)) return [];
    data.testNumber = ++this.topLevel;
    this.held.set(lane, []);
    return held;
  }

  /** Whatever is still held (the run was cut short), and the plan. */
  rest(): Tagged["event"][] {
    const rest = [...this.held.values()].flat();
    this.held.clear();
    return [...rest, { type: "test:plan", data: { nesting: 0, count: this.topLevel } } as unknown as Tagged["event"]];
  }
}

/** A run's own plan and closing counts (`# tests 12`, `# pass 12`, ...), which concern one lane only. */
function isRunCount({ type, data }: Tagged["event"]): boolean {
  if (data.nesting !== 0 || data.file) return false;
  if (type === "test:plan") return true;
  const message = (data as { message?: unknown }).message;
  return type === "test:diagnostic" && /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(String(message));
}

async function* fromArray<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

let headerPrinted = false;
/** Through node's TAP reporter, which starts each stream with its header: printed once. */
async function print(events: Tagged["event"][]): Promise<void> {
  if (events.length === 0) return;
  for await (const chunk of tap(fromArray(events) as unknown as Parameters<typeof tap>[0])) {
    if (chunk === "TAP version 13\n" && headerPrinted) continue;
    headerPrinted = true;
    process.stdout.write(chunk);
  }
}

if (import.meta.main) {
  const abort = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => abort.abort());
  const collator = new Collator();
  const walls: string[] = [];
  try {
    // `npm test -- single auth`: only the files whose path contains one of the words.
    const words = process.argv.slice(2);
    const chosen = (files: string[]) => (words.length === 0 ? files : files.filter((f) => words.some((w) => f.includes(w))));
    const phases = lanes();
    const [unit, hostPorts, portFree] = [chosen(phases.unit), chosen(phases.hostPorts), chosen(phases.portFree)];
    for await (const tagged of lane("unit tests", unit, LANE_ADDRESSES.hostPorts, abort.signal, walls)) await print(collator.take(tagged));
    // What files of both lanes would otherwise build at once on first use, in the same folders: the images of the
    // default version (found up to date when CI built them) and the official Java client, one after the other (both
    // may run Maven on one local repository). The test processes are then told the images are ready.
    if ((await dockerAvailability()) === undefined) {
      await ensureImages();
      await prepareJavaClient();
      process.env[IMAGES_READY] = DEFAULT_ROCKETMQ_VERSION;
    }
    const lanes2 = [
      lane(`lane 1 (${LANE_ADDRESSES.hostPorts})`, hostPorts, LANE_ADDRESSES.hostPorts, abort.signal, walls),
      lane(`lane 2 (${LANE_ADDRESSES.portFree})`, portFree, LANE_ADDRESSES.portFree, abort.signal, walls),
    ];
    for await (const tagged of merged(lanes2)) await print(collator.take(tagged));
  } catch (e) {
    collator.failed = true;
    abort.abort();
    process.stderr.write(`npm test stopped: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
  await print(collator.rest());
  for await (const line of fileTimes(fromArray(collator.results))) process.stdout.write(line);
  process.stdout.write(`${walls.join("\n")}\n`);
  if (collator.failed || abort.signal.aborted) process.exitCode = 1;
}
