// charts/rocketmq/files/modes.yaml is generated from env/<mode>/*.env (`npm run chart-modes`): the chart takes each
// mode's settings from the files the compose files use, and nobody edits a copy of them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DERIVED, outdatedModes, renderModes } from "../../scripts/chart-modes.ts";

test("charts/rocketmq/files/modes.yaml is what `npm run chart-modes` writes from env/", () => {
  assert.deepEqual(outdatedModes(), []);
});

test("modes.yaml holds no variable the chart derives (addresses, ports, the cluster's and groups' names)", () => {
  const text = renderModes();
  for (const name of DERIVED) assert.doesNotMatch(text, new RegExp(`^\\s*${name}:`, "m"), name);
});
