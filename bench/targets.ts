// The performance targets the appliance is measured against, and where the latest figures of bench/results/ put
// each: met, or not met with the figures that say why. docs/performance.md's targets table is generated from this.
import { readResult, type BenchName, type BenchResult } from "./results.ts";

/** One figure of one bench's results file; throws naming the file and the figure when the file lacks it. */
export type Figure = (bench: BenchName, name: string) => number;

export interface Target {
  /** What is promised, as a reader checks it. */
  goal: string;
  /** The benches whose figures it is read from. */
  benches: BenchName[];
  /** The figure compared with the limit. */
  value: (f: Figure) => number;
  limit: number;
  /** "atMost": the value must not exceed the limit; "atLeast": it must not fall below it. */
  kind: "atMost" | "atLeast";
  /** The measured figures as the table shows them. */
  shown: (f: Figure) => string;
  /** Why it is not met, with the figures that say so; shown only when it is not. None where nothing known stands in the way. */
  whyNot?: (f: Figure) => string;
}

const times = (x: number) => `${x.toFixed(2)}×`;
const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
const sec = (s: number) => `${s.toFixed(1)} s`;
const ms = (n: number) => `${n.toFixed(1)} ms`;

/** A boot ratio, its measure named as in boot.json. */
function bootRatio(goal: string, measure: string, limit: number): Target {
  return {
    goal,
    benches: ["boot"],
    value: (f) => f("boot", `container.${measure}.ratioToBare`),
    limit,
    kind: "atMost",
    shown: (f) =>
      `${times(f("boot", `container.${measure}.ratioToBare`))} (${f("boot", `container.${measure}.median`).toFixed(2)} s against ${f("boot", `bare.${measure}.median`).toFixed(2)} s, medians of ${f("boot", "runs")} runs)`,
    whyNot: (f) =>
      `within the runs' spread: the containers' ${f("boot", `container.${measure}.min`).toFixed(2)}–${f("boot", `container.${measure}.max`).toFixed(2)} s, the bare JVMs' ${f("boot", `bare.${measure}.min`).toFixed(2)}–${f("boot", `bare.${measure}.max`).toFixed(2)} s`,
  };
}

const FASTEST_PATH = "hostNetwork";
const DEFAULT_PATH = "containerAddress";
const THREADS = [1, 4];

/** The lowest of a path's paired throughput ratios over the thread counts, and each as the table shows it. */
function pairedThroughput(path: string): Pick<Target, "value" | "shown"> {
  const ratio = (f: Figure, t: number) => f("throughput-paths", `${path}.t${t}.pairedThroughputRatio`);
  return {
    value: (f) => Math.min(...THREADS.map((t) => ratio(f, t))),
    shown: (f) => THREADS.map((t) => `${times(ratio(f, t))} at ${t} thread${t > 1 ? "s" : ""}`).join(", ") + " (paired)",
  };
}

/** One image's size in MB, as images.json names it. */
function imageMegabytes(goal: string, figure: string, limit: number, whyNot: NonNullable<Target["whyNot"]>): Target {
  return {
    goal,
    benches: ["images"],
    value: (f) => f("images", figure),
    limit,
    kind: "atMost",
    shown: (f) => `${f("images", figure)} MB`,
    whyNot,
  };
}

/** Why the broker image is as large as it is: node, which runs the configurator, the watcher and the commands. */
function brokerSizeWhy(f: Figure): string {
  return `node (the official build) is ${f("images", "broker.node.megabytes")} MB of its ${f("images", "broker.megabytes")} MB uncompressed; it runs the configurator, the health watcher, \`print-config\` and \`validate\`, and without it the broker would be ${f("images", "broker.megabytes") - f("images", "broker.node.megabytes")} MB ([Size](#size))`;
}

export const TARGETS: Target[] = [
  bootRatio("start → broker “boot success” ≤ 1.0× the bare JVMs", "bootSeconds", 1.0),
  bootRatio("start → first message consumed ≤ 1.0× the bare JVMs", "firstMessageSeconds", 1.0),
  bootRatio("CPU spent booting ≤ 0.9× the bare JVMs", "cpuSeconds", 0.9),
  {
    goal: "CPU per health check ≤ 10 ms",
    benches: ["health"],
    value: (f) => Math.max(f("health", "namesrv-1.checkCpuMs.image"), f("health", "broker-a-s.checkCpuMs.image")),
    limit: 10,
    kind: "atMost",
    shown: (f) =>
      `${ms(f("health", "namesrv-1.checkCpuMs.image"))} (name server), ${ms(f("health", "broker-a-s.checkCpuMs.image"))} (slave)`,
    whyNot: (f) =>
      `Docker's \`exec\` alone costs ${ms(f("health", "namesrv-1.checkCpuMs.execTrue"))} and ${ms(f("health", "broker-a-s.checkCpuMs.execTrue"))} in the same containers (\`docker exec … true\`), and a \`HEALTHCHECK\` can only exec ([Health checks](#health-checks))`,
  },
  {
    goal: "an idle `compose/2m-2s-sync.yml` with the console ≤ 5 % of one core",
    benches: ["health"],
    value: (f) => f("health", "idle.shipped.coreShare"),
    limit: 0.05,
    kind: "atMost",
    shown: (f) => `${pct(f("health", "idle.shipped.coreShare"))} over ${f("health", "idleSeconds")} s`,
    whyNot: (f) => {
      const brokers = ["broker-a", "broker-a-s", "broker-b", "broker-b-s"].reduce(
        (sum, b) => sum + f("health", `idle.shipped.${b}.coreShare`),
        0,
      );
      return `its four broker containers spend ${pct(brokers)}, nearly all of it in RocketMQ's own idle threads: a name server and a broker run by hand idle at ${pct(f("health", "idle.single.bare.coreShare"))} together; the six watchers are ${pct(f("health", "idle.shipped.watchersCoreShare"))} of the whole ([Health checks](#health-checks))`;
    },
  },
  imageMegabytes("broker image ≤ 200 MB", "broker.megabytes", 200, brokerSizeWhy),
  imageMegabytes("broker image ≤ 110 MB compressed", "broker.pullMegabytes", 110, brokerSizeWhy),
  imageMegabytes(
    "console image ≤ 100 MB",
    "console.megabytes",
    100,
    (f) =>
      `the console is a Node program: node, the same binary as in the broker, is ${f("images", "broker.node.megabytes")} MB of it; the rest is its C libraries and the bundled console`,
  ),
  {
    goal: "a compose mode pulls ≤ 250 MB",
    benches: ["images"],
    value: (f) => Math.max(f("images", "composeMode.pullMegabytes"), f("images", "composeModeWithProxy.pullMegabytes")),
    limit: 250,
    kind: "atMost",
    shown: (f) => `${f("images", "composeMode.pullMegabytes")} MB, ${f("images", "composeModeWithProxy.pullMegabytes")} MB with the proxy`,
  },
  {
    goal: "sync-send throughput ≥ 0.95× the bare JVMs on the fastest path (`--network host`)",
    benches: ["throughput-paths"],
    ...pairedThroughput(FASTEST_PATH),
    limit: 0.95,
    kind: "atLeast",
    whyNot: spreadOfRounds,
  },
  {
    goal: "sync-send throughput ≥ 0.85× the bare JVMs on the default path",
    benches: ["throughput-paths"],
    ...pairedThroughput(DEFAULT_PATH),
    limit: 0.85,
    kind: "atLeast",
    whyNot: spreadOfRounds,
  },
  {
    goal: "p99 latency ≤ 1.1× the bare JVMs",
    benches: ["throughput-paths"],
    value: (f) => Math.max(...p99Ratios(f).map(([, r]) => r)),
    limit: 1.1,
    kind: "atMost",
    shown: (f) =>
      p99Ratios(f)
        .map(([label, r]) => `${times(r)} ${label}`)
        .join(", ") + " (paired)",
    whyNot: (f) => `one row of four, the others at most ${times(secondHighest(p99Ratios(f).map(([, r]) => r)))}; ${spreadOfRounds(f)}`,
  },
  {
    goal: "one `RocketMQContainer` ≤ 10 s",
    benches: ["testcontainers"],
    value: (f) => f("testcontainers", "container.firstMessageSeconds"),
    limit: 10,
    kind: "atMost",
    shown: (f) =>
      `${sec(f("testcontainers", "container.startSeconds"))} started, ${sec(f("testcontainers", "container.firstMessageSeconds"))} to the first message`,
  },
  {
    goal: "three `RocketMQContainer`s started at once ≤ 25 s",
    benches: ["testcontainers"],
    value: (f) => f("testcontainers", "parallel3.startSeconds"),
    limit: 25,
    kind: "atMost",
    shown: (f) =>
      `${sec(f("testcontainers", "parallel3.startSeconds"))} started, ${sec(f("testcontainers", "parallel3.firstMessageSeconds"))} to the last first message`,
    whyNot: (f) =>
      `three pairs of bare JVMs started at once take ${sec(f("testcontainers", "bareParallel3.startSeconds"))} on the same machine`,
  },
];

function p99Ratios(f: Figure): [string, number][] {
  return [DEFAULT_PATH, FASTEST_PATH].flatMap((path) =>
    THREADS.map((t): [string, number] => [
      `(${path === DEFAULT_PATH ? "default" : "host network"}, ${t})`,
      f("throughput-paths", `${path}.t${t}.pairedP99Ratio`),
    ]),
  );
}

function secondHighest(xs: number[]): number {
  return [...xs].sort((a, b) => b - a)[1] ?? Number.NaN;
}

function spreadOfRounds(f: Figure): string {
  const keys = [DEFAULT_PATH, FASTEST_PATH].flatMap((p) => THREADS.map((t) => `${p}.t${t}`));
  const lo = Math.min(...keys.map((k) => f("throughput-paths", `${k}.pairedThroughputRatioMin`)));
  const hi = Math.max(...keys.map((k) => f("throughput-paths", `${k}.pairedThroughputRatioMax`)));
  return `within the run's spread: one round's throughput ratio to the bare JVMs of the same round ranged ${times(lo)}–${times(hi)} ([Throughput and latency](#throughput-and-latency))`;
}

export interface Assessment {
  goal: string;
  /** The figures as shown, or undefined when a bench the target needs has no results file. */
  shown?: string;
  met?: boolean;
  whyNot?: string;
  /** The days its benches were run. */
  measuredOn: string[];
}

/** Each target against the benches' results (bench/results/ by default). */
export function assessTargets(read: (bench: BenchName) => BenchResult | undefined = (b) => readResult(b)): Assessment[] {
  return TARGETS.map((target) => {
    const results = target.benches.map((b) => [b, read(b)] as const);
    if (results.some(([, r]) => !r)) return { goal: target.goal, measuredOn: [] };
    const f: Figure = (bench, name) => {
      const value = results.find(([b]) => b === bench)?.[1]?.figures[name];
      if (value === undefined) throw new Error(`bench/results/${bench}.json has no figure ${name}; run that bench again`);
      return value;
    };
    const value = target.value(f);
    const met = target.kind === "atMost" ? value <= target.limit : value >= target.limit;
    return {
      goal: target.goal,
      shown: target.shown(f),
      met,
      ...(met || !target.whyNot ? {} : { whyNot: target.whyNot(f) }),
      measuredOn: [...new Set(results.map(([, r]) => r!.measuredOn))],
    };
  });
}
