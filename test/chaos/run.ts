// The chaos runner: a compose mode under a steady load of the official Java client (a producer sending and a
// consumer receiving at the same time, each writing its events), a schedule of faults (on broker-a's master, or the
// group's elected master; on one or every name server; on the whole cluster), and the checker's report: acknowledged,
// lost, duplicated, the longest time without a send or a receive, and how soon each fault let them resume.
//   npm run chaos -- --mode 2m-2s-sync [--faults kill,pause,restart,partition,namesrv,namesrvs,rolling,cluster,memory] [--duration 120]
//                    [--fault-seconds 15] [--rounds 1] [--version 5.5.0] [--keep]
// The faults and the load are test/chaos/schedule.ts's; the mode tests run a short schedule of it in CI.
// Writes test-artifacts/chaos-<mode>.json; exits 1 when the mode broke its promise (check.ts).
import { parseArgs } from "node:util";
import { ClusterUnderTest } from "../integration/cluster.ts";
import { PROMISES, renderReport, type ChaosReport } from "./check.ts";
import { parseFaults, runSchedule, writeReport } from "./schedule.ts";
import { readResult, writeResult } from "../../bench/results.ts";

const { values } = parseArgs({
  options: {
    mode: { type: "string", default: "2m-2s-sync" },
    faults: { type: "string", default: "kill,pause,restart" },
    duration: { type: "string", default: "120" },
    "fault-seconds": { type: "string", default: "15" },
    // The fault list over and over: a long schedule (--duration 1800 --rounds 5) hits each fault several times.
    rounds: { type: "string", default: "1" },
    version: { type: "string" },
    // Leave the cluster up afterwards, to look into a broken promise (`docker compose -p rmqtest-<mode>-<version> down -v` ends it).
    keep: { type: "boolean", default: false },
  },
});
const mode = values.mode;
if (!PROMISES[mode]) throw new Error(`--mode: ${mode} is not one of ${Object.keys(PROMISES).join(", ")}`);
const rounds = positive("rounds", values.rounds);
const faults = Array.from({ length: rounds }, () => parseFaults(values.faults)).flat();
const durationMs = positive("duration", values.duration) * 1000;
const faultMs = positive("fault-seconds", values["fault-seconds"]) * 1000;
const NAMESRVS: Record<string, string> = {
  single: "namesrv:9876",
  controller: "namesrv-1:9876;namesrv-2:9876;namesrv-3:9876",
};

const cluster = new ClusterUnderTest(mode, { version: values.version, networkNamesrv: NAMESRVS[mode] ?? "namesrv-1:9876;namesrv-2:9876" });
console.log(`${cluster.label}: up in ${(await cluster.up()).toFixed(1)} s`);
try {
  // One fault per slot of the duration, a fifth of the way in; a minute of load after the last slot.
  const report = await runSchedule(cluster, mode, {
    faults,
    faultMs,
    slotMs: durationMs / faults.length,
    tailMs: 60_000,
    log: (line) => console.log(line),
  });
  console.log(renderReport(report));
  writeReport(`chaos-${mode}`, cluster.version, report);
  recordFigures(report);
  process.exitCode = report.kept ? 0 : 1;
} finally {
  if (values.keep) console.log(`left up: docker compose -p ${cluster.project.name} down -v`);
  else await cluster.down();
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new Error(`--${name}: ${JSON.stringify(value)} is not a positive number`);
  return n;
}

/** This mode's figures in bench/results/chaos.json, next to the other modes' last runs (for the docs' table). */
function recordFigures(r: ChaosReport): void {
  const seconds = (ms: number | null) => (ms === null ? -1 : Number((ms / 1000).toFixed(1)));
  const figures = Object.fromEntries(Object.entries(readResult("chaos")?.figures ?? {}).filter(([k]) => !k.startsWith(`${mode}.`)));
  Object.assign(figures, {
    [`${mode}.durationSeconds`]: durationMs / 1000,
    [`${mode}.faultSeconds`]: faultMs / 1000,
    [`${mode}.rounds`]: rounds,
    [`${mode}.acknowledged`]: r.acknowledged,
    [`${mode}.lost`]: r.lost,
    [`${mode}.skipped`]: r.skipped ?? 0,
    [`${mode}.duplicated`]: r.duplicated,
    [`${mode}.longestSendGapSeconds`]: seconds(r.longestSendGapMs),
    [`${mode}.longestConsumeGapSeconds`]: seconds(r.longestConsumeGapMs),
    [`${mode}.kept`]: r.kept ? 1 : 0,
    [`${mode}.storeRead`]: r.storeRead ? 1 : 0,
  });
  // A fault hit more than once (--rounds) gives its worst figures; "never" (-1) is the worst of all.
  const worst = (key: string, value: number) => {
    const before = figures[key];
    figures[key] = before === undefined ? value : before === -1 || value === -1 ? -1 : Math.max(before, value);
  };
  for (const f of r.faults) {
    // Messages received again add up over the fault's rounds.
    figures[`${mode}.${f.name}.duplicated`] = (figures[`${mode}.${f.name}.duplicated`] ?? 0) + f.duplicated;
    worst(`${mode}.${f.name}.sendStallSeconds`, seconds(f.sendStallMs));
    worst(`${mode}.${f.name}.consumeStallSeconds`, seconds(f.consumeStallMs));
    worst(`${mode}.${f.name}.groupBackSeconds`, seconds(f.groupBackAfterMs));
  }
  writeResult("chaos", figures);
}
