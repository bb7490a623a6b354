import { test } from "node:test";
import assert from "node:assert/strict";
import { outdated } from "../../src/catalogue/readme-table.ts";

test("the README's variable and key tables are generated from the catalogue and up to date", () => {
  assert.deepEqual(outdated(), [], "run `npm run readme`");
});
