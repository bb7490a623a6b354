// The console image: independent of the RocketMQ version (the remoting protocol is the same for 4.x and 5.x), so
// it has a context of its own (node binary, bundled console and UI) and is rebuilt only when that changes.
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { build as esbuild } from "esbuild";
import { CONTEXT_LABEL, NODE_BUNDLE, REPO_ROOT, dockerBuild, freshContext, hashTree, inspect, type BuiltImage } from "./docker.ts";
import { nodeBinary } from "./node-binary.ts";
import { platformTag, requireArch, type Platform } from "./platform.ts";
import { IMAGE_REPOSITORY } from "./versions.ts";

export const CONSOLE_IMAGE = `${IMAGE_REPOSITORY}/console:latest`;

export async function buildConsoleImage(docker: Docker, baseImage: string, platform: Platform, force = false): Promise<BuiltImage> {
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
  const context = freshContext(platformTag("console", platform));
  try {
    return await buildFrom(context, docker, baseImage, platform, version, force);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

async function buildFrom(
  context: string,
  docker: Docker,
  baseImage: string,
  platform: Platform,
  version: string,
  force: boolean,
): Promise<BuiltImage> {
  mkdirSync(join(context, "console"), { recursive: true });
  copyFileSync(await nodeBinary(join(REPO_ROOT, "build", "cache"), platform.arch), join(context, "node"));
  copyFileSync(join(REPO_ROOT, "docker", "console", "Dockerfile"), join(context, "Dockerfile"));
  await bundleConsole(join(context, "console"));

  const tags = [platformTag(CONSOLE_IMAGE, platform), `${IMAGE_REPOSITORY}/console:${platformTag(version, platform)}`];
  const hash = hashTree(context, `${baseImage} ${platform.arch}`);
  const skipped = !force && (await inspect(docker, tags[0]!))?.Config?.Labels?.[CONTEXT_LABEL] === hash;
  if (skipped) process.stderr.write(`${tags[0]} is up to date\n`);
  else {
    process.stderr.write(`building ${tags.join(", ")}\n`);
    const buildargs = { BASE_IMAGE: baseImage, APPLIANCE_VERSION: version };
    await dockerBuild(docker, context, { target: "console", tags, hash, buildargs, platform: `linux/${platform.arch}` });
  }
  const [repo = "", tag = ""] = tags[1]!.split(":");
  await docker.getImage(tags[0]!).tag({ repo, tag });
  const info = await docker.getImage(tags[0]!).inspect();
  requireArch(info, platform);
  return { role: "console", name: tags[0]!, tags, skipped, sizeBytes: info.Size };
}

/** The chart library's files the UI loads (uPlot, bundled with the image: the page loads nothing from elsewhere). */
export function chartLibraryFiles(): Record<string, string> {
  const dist = join(REPO_ROOT, "node_modules", "uplot", "dist");
  return { "uPlot.esm.js": join(dist, "uPlot.esm.js"), "uPlot.min.css": join(dist, "uPlot.min.css") };
}

/**
 * console.mjs (server), healthcheck.cjs (what HEALTHCHECK runs every 5 s: CommonJS, which Node starts without its
 * ES module loader, so a check costs little) and ui/ with the chart library.
 */
export async function bundleConsole(outDir: string): Promise<void> {
  await esbuild({ ...NODE_BUNDLE, entryPoints: [join(REPO_ROOT, "src", "console", "main.ts")], outfile: join(outDir, "console.mjs") });
  await esbuild({
    ...NODE_BUNDLE,
    format: "cjs",
    banner: {},
    entryPoints: [join(REPO_ROOT, "src", "console", "healthcheck.ts")],
    outfile: join(outDir, "healthcheck.cjs"),
  });
  cpSync(join(REPO_ROOT, "src", "console", "ui"), join(outDir, "ui"), { recursive: true });
  for (const [file, path] of Object.entries(chartLibraryFiles())) cpSync(path, join(outDir, "ui", file));
}
