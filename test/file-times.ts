// A node:test reporter that prints, once the run is over, where the time went: each test file's wall time
// (its top-level tests and suites added up), slowest first, then the plain "N passed, N failed" line.
// Used next to the TAP reporter by `npm test`; it writes nothing until the end.
import { basename } from "node:path";

interface TestEvent {
  type: string;
  data: {
    nesting?: number;
    file?: string;
    skip?: boolean | string;
    todo?: boolean | string;
    details?: { duration_ms?: number; type?: string };
  };
}

export default async function* fileTimes(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const seconds = new Map<string, number>();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { data } = event;
    if (data.nesting === 0 && data.file) seconds.set(data.file, (seconds.get(data.file) ?? 0) + (data.details?.duration_ms ?? 0) / 1000);
    if (data.details?.type === "suite") continue;
    if (data.skip || data.todo) skipped++;
    else if (event.type === "test:pass") passed++;
    else failed++;
  }
  const rows = [...seconds].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((n, [, s]) => n + s, 0);
  const width = Math.max(4, ...rows.map(([f]) => shortName(f).length));
  yield `\n${"file".padEnd(width)}  seconds\n`;
  for (const [file, s] of rows) yield `${shortName(file).padEnd(width)}  ${s.toFixed(1).padStart(7)}\n`;
  yield `${"total".padEnd(width)}  ${total.toFixed(1).padStart(7)}\n`;
  yield `${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}

function shortName(file: string): string {
  const i = file.lastIndexOf("/test/");
  return i >= 0 ? file.slice(i + 1) : basename(file);
}
