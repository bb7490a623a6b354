// No import circles among the project's own files (src, bench, test, scripts): a circle means two modules that
// cannot be understood, tested or moved apart. scripts/import-cycles.ts is the same check from the command line.
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { test } from "node:test";
import { CHECKED_ROOTS, REPO_ROOT, importCycles, importGraph } from "../../scripts/import-cycles.ts";

test("the import map has no circles", () => {
  const graph = importGraph(CHECKED_ROOTS.map((r) => join(REPO_ROOT, r)));
  assert.ok(graph.size > 100, `only ${graph.size} files read`);
  const circles = importCycles(graph).map((c) => c.map((f) => relative(REPO_ROOT, f)).join(" ↔ "));
  assert.deepEqual(circles, []);
});

test("the check finds a circle of two, and one of a file importing itself", () => {
  const graph = new Map([
    ["a", ["b"]],
    ["b", ["a", "c"]],
    ["c", []],
    ["d", ["d"]],
  ]);
  assert.deepEqual(importCycles(graph), [["a", "b"], ["d"]]);
});
