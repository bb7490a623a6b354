// Prints the image sizes (as `docker image ls` shows them), what a compose mode pulls, what a RocketMQ version bump
// re-pulls (the 4.9.7 broker replaced by the default version's), and how long single mode takes from
// `docker compose up` to healthy, median of N runs. Size and speed goals are checked here, not in tests.
//   node bench/images.ts [--runs 3]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { buildImages, REPO_ROOT } from "../src/images/build.ts";
import { median, writeResult } from "./results.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const BUMP_FROM = "4.9.7";
const runs = Number(values.runs);

const images = await buildImages();
const docker = (...args: string[]): string => execFileSync("docker", args, { cwd: REPO_ROOT, encoding: "utf8" });

const figures: Record<string, number> = { runs };
for (const image of images) {
  const layers = docker("history", "--no-trunc", "--format", "{{.Size}}", image.name).trim().split("\n").length;
  console.log(`${image.name}: ${(image.sizeBytes / 1e6).toFixed(0)} MB (${layers} layers)`);
  figures[`${image.role}.megabytes`] = Math.round(image.sizeBytes / 1e6);
}
const named = (role: string) => images.find((i) => i.role === role)!.name;

// What the broker image is made of: each layer that adds bytes, named by where it copies to (docker/Dockerfile).
const PARTS: [RegExp, string][] = [
  [/ in \/usr\/local\/bin\/node\b/, "node"],
  [/ in \/opt\/java\b/, "javaRuntime"],
  [/ in \/opt\/rocketmq\/lib\b/, "jars"],
  [/ in \/opt\/rocketmq\/cds\b/, "classDataArchive"],
];
for (const line of docker("history", "--no-trunc", "--human=false", "--format", "{{.Size}}\t{{.CreatedBy}}", named("broker"))
  .trim()
  .split("\n")) {
  const [size, createdBy = ""] = line.split("\t");
  // The rest: the base layer's C libraries and busybox, the entrypoint, the configurator and its scripts.
  const part = PARTS.find(([pattern]) => pattern.test(createdBy))?.[1] ?? "rest";
  const key = `broker.${part}.megabytes`;
  figures[key] = (figures[key] ?? 0) + Number(size) / 1e6;
}
for (const [, part] of [...PARTS, [/$/, "rest"] as const])
  figures[`broker.${part}.megabytes`] = Math.round(figures[`broker.${part}.megabytes`] ?? 0);
console.log(
  `the broker image: ${[...PARTS.map(([, p]) => p), "rest"].map((p) => `${p} ${figures[`broker.${p}.megabytes`]} MB`).join(", ")}`,
);
/** Bytes of `docker save` of these images together: shared layers count once. Gzipped: about what a pull fetches. */
const saved = (names: string[], gzip: boolean): number =>
  Number(execFileSync("sh", ["-c", `docker save ${names.join(" ")} ${gzip ? "| gzip -6 " : ""}| wc -c`], { encoding: "utf8" }).trim());
figures["namesrvAndBroker.megabytes"] = Math.round(saved([named("namesrv"), named("broker")], false) / 1e6);
console.log(`namesrv and broker together (shared layers once): ${figures["namesrvAndBroker.megabytes"]} MB`);
const mode = [named("namesrv"), named("broker"), named("console")];
figures["composeMode.pullMegabytes"] = Math.round(saved(mode, true) / 1e6);
figures["composeModeWithProxy.pullMegabytes"] = Math.round(saved([...mode, named("proxy")], true) / 1e6);
console.log(
  `a compose mode pulls about ${figures["composeMode.pullMegabytes"]} MB compressed (namesrv, broker, console), ${figures["composeModeWithProxy.pullMegabytes"]} MB with the proxy`,
);

// A version bump: a pull fetches the layers whose chain (the layer and every layer under it) the host lacks, so
// everything from the first layer that differs on. Sizes gzipped, as a registry stores them.
{
  const fromBroker = (await buildImages({ rocketmqVersion: BUMP_FROM })).find((i) => i.role === "broker")!.name;
  const layersOf = (image: string): string[] =>
    JSON.parse(docker("image", "inspect", "--format", "{{json .RootFS.Layers}}", image)) as string[];
  const before = layersOf(fromBroker);
  const after = layersOf(named("broker"));
  let shared = 0;
  while (shared < Math.min(before.length, after.length) && before[shared] === after[shared]) shared++;
  const dir = mkdtempSync(join(tmpdir(), "rmqbench-layers-"));
  try {
    execFileSync("sh", ["-c", `docker save ${named("broker")} | tar -x -C ${dir}`]);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as [{ Layers: string[] }];
    const gz = manifest[0].Layers.map((layer) => gzipSync(readFileSync(join(dir, layer)), { level: 6 }).length);
    const total = gz.reduce((a, b) => a + b, 0);
    const repulled = gz.slice(shared).reduce((a, b) => a + b, 0);
    figures["versionBump.sharedLayers"] = shared;
    figures["versionBump.layers"] = after.length;
    figures["versionBump.repullMegabytes"] = Math.round(repulled / 1e6);
    figures["broker.pullMegabytes"] = Math.round(total / 1e6);
    console.log(
      `broker ${BUMP_FROM} → ${named("broker")}: ${shared} of ${after.length} layers shared, re-pulls ${figures["versionBump.repullMegabytes"]} of ${figures["broker.pullMegabytes"]} MB compressed`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const compose = ["compose", "-p", "rmqbench-single", "-f", "compose/single.yml"];
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  docker(...compose, "down", "-v");
  const started = Date.now();
  docker(...compose, "up", "-d", "--wait");
  times.push((Date.now() - started) / 1000);
}
docker(...compose, "down", "-v");
figures["single.upSeconds"] = median(times);
console.log(
  `single mode, docker compose up to healthy: median ${median(times).toFixed(1)} s over ${runs} runs (${times.map((t) => t.toFixed(1)).join(", ")})`,
);
writeResult("images", figures);
