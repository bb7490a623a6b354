// Prints the image sizes (as `docker image ls` shows them) and how long single mode takes from
// `docker compose up` to healthy, median of N runs. Size and speed goals are checked here, not in tests.
//   node bench/images.ts [--runs 3]
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { buildImages, REPO_ROOT } from "../src/images/build.ts";
import { median, writeResult } from "./results.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const runs = Number(values.runs);

const images = await buildImages();
const docker = (...args: string[]): string => execFileSync("docker", args, { cwd: REPO_ROOT, encoding: "utf8" });

const figures: Record<string, number> = { runs };
for (const image of images) {
  const layers = docker("history", "--no-trunc", "--format", "{{.Size}}", image.name).trim().split("\n").length;
  console.log(`${image.name}: ${(image.sizeBytes / 1e6).toFixed(0)} MB (${layers} layers)`);
  figures[`${image.role}.megabytes`] = Math.round(image.sizeBytes / 1e6);
}
const shared =
  docker("image", "inspect", "-f", "{{json .RootFS.Layers}}", images[0]!.name) ===
  docker("image", "inspect", "-f", "{{json .RootFS.Layers}}", images[1]!.name);
console.log(`namesrv and broker share all layers: ${shared}`);
figures.namesrvSharesBrokerLayers = shared ? 1 : 0;

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
