import { test } from "node:test";
import assert from "node:assert/strict";
import { readResult, type BenchName, type BenchResult } from "../../bench/results.ts";
import { TARGETS, assessTargets } from "../../bench/targets.ts";

const committed = (bench: BenchName) => readResult(bench);

test("every target reads figures the committed results files have", () => {
  const rows = assessTargets(committed);
  assert.equal(rows.length, TARGETS.length);
  for (const row of rows) {
    assert.ok(row.shown, `${row.goal}: not measured`);
    assert.equal(typeof row.met, "boolean", row.goal);
    if (!row.met) assert.ok(row.whyNot && row.whyNot.length > 20, `${row.goal}: not met, and no reason given`);
  }
});

test("a target is met on its side of the limit and says why not on the other", () => {
  const withFigure = (bench: BenchName, name: string, value: number) => (b: BenchName) => {
    const result = committed(b);
    if (!result || b !== bench) return result;
    return { ...result, figures: { ...result.figures, [name]: value } } satisfies BenchResult;
  };
  const broker = (megabytes: number) =>
    assessTargets(withFigure("images", "broker.megabytes", megabytes)).find((r) => r.goal === "broker image ≤ 200 MB")!;
  assert.equal(broker(200).met, true);
  assert.equal(broker(200).whyNot, undefined);
  assert.equal(broker(201).met, false);
  assert.match(broker(201).whyNot!, /without it the broker would be/);

  const fastest = (ratio: number) =>
    assessTargets(withFigure("throughput-paths", "hostNetwork.t4.pairedThroughputRatio", ratio)).find((r) =>
      r.goal.startsWith("sync-send throughput ≥ 0.95×"),
    )!;
  assert.equal(fastest(0.95).met, true);
  assert.equal(fastest(0.94).met, false);
});

test("a target whose bench has no results file is shown as not measured", () => {
  const rows = assessTargets((b) => (b === "health" ? undefined : committed(b)));
  const check = rows.find((r) => r.goal === "CPU per health check ≤ 10 ms")!;
  assert.equal(check.shown, undefined);
  assert.equal(check.met, undefined);
  assert.ok(
    rows.some((r) => r.met !== undefined),
    "the other benches' targets are still assessed",
  );
});
