// The benches' figures, written to bench/results/<bench>.json with the machine and the date they were measured on.
// The docs' figure blocks are generated from these files (scripts/docs-tables.ts), never typed by hand.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));

export type BenchName =
  "images" | "testcontainers" | "console" | "health" | "boot" | "throughput" | "throughput-paths" | "slave-sync" | "chaos";

export interface BenchResult {
  bench: BenchName;
  /** The day of the run, YYYY-MM-DD. */
  measuredOn: string;
  /** Cores, memory, Docker engine, Node: what the figures depend on. */
  machine: string;
  /** Figures by name: seconds, milliseconds, megabytes, as the name says. */
  figures: Record<string, number>;
}

/** This machine, as a results file records it. */
export function machineLine(): string {
  const engine = execFileSync("docker", ["info", "--format", "{{.ServerVersion}} (cgroup v{{.CgroupVersion}})"], {
    encoding: "utf8",
  }).trim();
  const model = cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${cpus().length} × ${model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Docker ${engine}, Node ${process.version.slice(1)}`;
}

/** Writes the bench's results file and says where. */
export function writeResult(bench: BenchName, figures: Record<string, number>): string {
  const result: BenchResult = { bench, measuredOn: new Date().toISOString().slice(0, 10), machine: machineLine(), figures };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${bench}.json`);
  writeFileSync(path, JSON.stringify(result, null, 2) + "\n");
  console.log(`figures written to ${path}; npm run docs puts them in the docs`);
  return path;
}

export function readResult(bench: BenchName, dir: string = RESULTS_DIR): BenchResult | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, `${bench}.json`), "utf8")) as BenchResult;
  } catch {
    return undefined;
  }
}

/** The middle value; of an even count, the mean of the two middle ones. */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
