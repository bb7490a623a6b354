// A node:test reporter that prints, once the run is over, where the time went: each test file's wall time
// (its top-level tests and suites added up; a helper's suites each on a row of their own), slowest first; then why each failure failed (the first lines of its
// error; a test cancelled because its suite's hook failed is told by that suite); then "N passed, N failed".
// Used next to the TAP reporter by `npm test`; it writes nothing until the end, so CI's tail shows all of it.
import { basename } from "node:path";

export interface TestEvent {
  type: string;
  data: {
    name?: string;
    nesting?: number;
    file?: string;
    skip?: boolean | string;
    todo?: boolean | string;
    details?: { duration_ms?: number; type?: string; error?: unknown };
  };
}

const FAILURE_LINES = 40;

export default async function* fileTimes(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const seconds = new Map<string, number>();
  const failures: string[] = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { data } = event;
    if (data.nesting === 0 && data.file) {
      const row = rowOf(data.file, data.name);
      seconds.set(row, (seconds.get(row) ?? 0) + (data.details?.duration_ms ?? 0) / 1000);
    }
    if (event.type === "test:fail") {
      const why = failureText(data.details?.error);
      if (why !== undefined) failures.push(`- ${data.name ?? "?"} (${data.file ? shortName(data.file) : "?"})\n${why}\n`);
    }
    if (data.details?.type === "suite") continue;
    if (data.skip || data.todo) skipped++;
    else if (event.type === "test:pass") passed++;
    else failed++;
  }
  const rows = [...seconds].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((n, [, s]) => n + s, 0);
  const width = Math.max(4, ...rows.map(([row]) => row.length));
  yield `\n${"file".padEnd(width)}  seconds\n`;
  for (const [row, s] of rows) yield `${row.padEnd(width)}  ${s.toFixed(1).padStart(7)}\n`;
  yield `${"total".padEnd(width)}  ${total.toFixed(1).padStart(7)}\n`;
  if (failures.length > 0) yield `\nwhy they failed\n${failures.join("")}`;
  yield `${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}

/** The messages of the error and its causes, at most FAILURE_LINES lines; undefined for a test cancelled by its parent. */
function failureText(error: unknown): string | undefined {
  const messages: string[] = [];
  let e = error as { failureType?: string; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (e.failureType === "cancelledByParent") return undefined;
    // node:test wraps what was thrown in an ERR_TEST_FAILURE whose cause is the original error.
    const wrapper = e.failureType !== undefined && e.cause !== undefined;
    if (!wrapper && typeof e.message === "string") messages.push(e.message);
    e = e.cause as typeof e;
  }
  const lines = messages
    .join("\n")
    .split("\n")
    .filter((l) => l.trim() !== "");
  const shown = lines.slice(0, FAILURE_LINES).map((l) => `    ${l}`);
  if (lines.length > FAILURE_LINES) shown.push(`    … ${lines.length - FAILURE_LINES} more lines in the TAP output above`);
  return shown.join("\n");
}

/**
 * A test file's row; a suite declared in a shared helper (each compose mode's, in test/integration/cluster.ts) gets a
 * row of its own, named after it, rather than all of them adding up in the helper's.
 */
function rowOf(file: string, name: string | undefined): string {
  return file.endsWith(".test.ts") || !name ? shortName(file) : `${shortName(file)}: ${name}`;
}

function shortName(file: string): string {
  const i = file.lastIndexOf("/test/");
  return i >= 0 ? file.slice(i + 1) : basename(file);
}
