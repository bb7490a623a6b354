// `npm run images`: assembles the build context on the host (Maven-resolved jars, Node binary, bundled
// configurator) and builds the images through the Docker API: namesrv and broker, and the proxy for a RocketMQ
// version that has one (5.x). An image whose context is unchanged is skipped.
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import Docker from "dockerode";
import { build as esbuild } from "esbuild";
import { rolesOf } from "../catalogue/catalogue.ts";
import { resolveProxyJars, resolveRocketmqJars } from "./maven.ts";
import { buildConsoleImage } from "./console.ts";
import { nodeBinary } from "./node-binary.ts";
import { run } from "./run.ts";
import { DEFAULT_ROCKETMQ_VERSION, IMAGE_ROLES, UNPUBLISHED_VERSIONS, imageName, type ImageRole } from "./versions.ts";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const CONTEXT_LABEL = "org.rocketmq-appliance.context";

export interface BuildOptions {
  rocketmqVersion?: string;
  baseImage?: string;
  force?: boolean;
  docker?: Docker;
}

export interface BuiltImage {
  role: ImageRole | "console";
  name: string;
  tags: string[];
  skipped: boolean;
  sizeBytes: number;
}

export async function buildImages(options: BuildOptions = {}): Promise<BuiltImage[]> {
  const version = options.rocketmqVersion ?? DEFAULT_ROCKETMQ_VERSION;
  const baseImage = options.baseImage ?? "debian:bookworm-slim";
  const docker = options.docker ?? new Docker();
  const instead = UNPUBLISHED_VERSIONS[version];
  if (instead) {
    throw new Error(
      `RocketMQ ${version}'s rocketmq-broker and rocketmq-namesrv jars were never published to Maven Central, so no image ` +
        `can be built from it; ${instead} is the nearest release that was: npm run images -- --rocketmq ${instead}`,
    );
  }
  // Fails early, naming the supported versions, for a version we cannot validate.
  const roles = IMAGE_ROLES.filter((role) => rolesOf(version).includes(role));
  for (const role of IMAGE_ROLES.filter((r) => !roles.includes(r))) {
    process.stderr.write(`RocketMQ ${version} has no ${role} (it ships with RocketMQ 5.x): ${imageName(role, version)} is not built\n`);
  }

  await ensureBaseImage(docker, baseImage);
  const buildDir = join(REPO_ROOT, "build");
  const context = join(buildDir, "context", version);
  rmSync(context, { recursive: true, force: true });
  mkdirSync(context, { recursive: true });

  const mavenDir = join(buildDir, "maven", version);
  const lib = await resolveRocketmqJars(version, mavenDir, docker, baseImage);
  cpSync(lib, join(context, "lib"), { recursive: true });
  // The Dockerfile copies lib-proxy in the stage that trims native libraries: empty without a proxy image.
  mkdirSync(join(context, "lib-proxy"));
  if (roles.includes("proxy")) {
    cpSync(await resolveProxyJars(version, lib, mavenDir, docker, baseImage), join(context, "lib-proxy"), { recursive: true });
  }
  copyFileSync(await nodeBinary(join(buildDir, "cache")), join(context, "node"));
  cpSync(join(REPO_ROOT, "docker", "rootfs"), join(context, "rootfs"), { recursive: true });
  copyFileSync(join(REPO_ROOT, "docker", "Dockerfile"), join(context, "Dockerfile"));
  await bundleConfigurator(join(context, "appliance"), version);

  const hash = hashTree(context, baseImage);
  const results: BuiltImage[] = [];
  for (const role of roles) {
    const tags = [imageName(role, version), ...(version === DEFAULT_ROCKETMQ_VERSION ? [imageName(role, "latest")] : [])];
    const existing = await inspect(docker, tags[0]!);
    const skipped = !options.force && existing?.Config?.Labels?.[CONTEXT_LABEL] === hash;
    if (skipped) {
      process.stderr.write(`${tags[0]} is up to date\n`);
    } else {
      process.stderr.write(`building ${tags.join(", ")}\n`);
      await dockerBuild(docker, context, { target: role, tags, hash, buildargs: { BASE_IMAGE: baseImage, ROCKETMQ_VERSION: version } });
    }
    for (const tag of tags.slice(1)) {
      const [repo = "", t = "latest"] = tag.split(":");
      await docker.getImage(tags[0]!).tag({ repo, tag: t });
    }
    const info = await docker.getImage(tags[0]!).inspect();
    results.push({ role, name: tags[0]!, tags, skipped, sizeBytes: info.Size });
  }
  results.push(await buildConsoleImage(docker, baseImage, options.force));
  return results;
}

/** esbuild options for a single-file ESM bundle run by the images' node. */
export const NODE_BUNDLE = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  // CommonJS dependencies (pino, ajv, fastify) call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
} as const;

export async function bundleConfigurator(outDir: string, version: string): Promise<void> {
  mkdirSync(join(outDir, "versions"), { recursive: true });
  await esbuild({ ...NODE_BUNDLE, entryPoints: [join(REPO_ROOT, "src", "entrypoint", "cli.ts")], outfile: join(outDir, "appliance.mjs") });
  copyFileSync(join(REPO_ROOT, "src", "catalogue", "versions", `${version}.json`), join(outDir, "versions", `${version}.json`));
}

export function hashTree(dir: string, extra: string): string {
  const hash = createHash("sha256").update(extra);
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else hash.update(`${relative(dir, path)}\0${st.mode & 0o111 ? "x" : "-"}\0`).update(readFileSync(path));
    }
  };
  walk(dir);
  return hash.digest("hex").slice(0, 24);
}

export async function inspect(docker: Docker, name: string): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await docker.getImage(name).inspect();
  } catch {
    return undefined;
  }
}

export async function ensureBaseImage(docker: Docker, baseImage: string): Promise<void> {
  if (await inspect(docker, baseImage)) return;
  process.stderr.write(`base image ${baseImage} is not present; pulling\n`);
  try {
    const stream = await docker.pull(baseImage);
    await new Promise<void>((res, rej) => docker.modem.followProgress(stream, (err) => (err ? rej(err) : res())));
    return;
  } catch (e) {
    process.stderr.write(`cannot pull ${baseImage} (${(e as Error).message.split("\n")[0]}); creating it from Debian packages\n`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error(`${baseImage} can neither be pulled nor created without root: run 'sudo docker/base/make-base-image.sh ${baseImage}'`);
  }
  await run("bash", [join(REPO_ROOT, "docker", "base", "make-base-image.sh"), baseImage]);
}

export async function dockerBuild(
  docker: Docker,
  context: string,
  o: { target: string; tags: string[]; hash: string; buildargs: Record<string, string> },
): Promise<void> {
  const stream = await docker.buildImage(
    { context, src: readdirSync(context) },
    {
      t: o.tags[0],
      target: o.target,
      buildargs: o.buildargs,
      labels: { [CONTEXT_LABEL]: o.hash },
      rm: true,
      forcerm: true,
    },
  );
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err, output: { error?: string }[]) => {
        const failed = err ?? output.find((o) => o.error)?.error;
        if (failed) reject(new Error(`docker build of ${o.tags[0]} failed: ${String(failed)}`));
        else resolve();
      },
      (event: { stream?: string; status?: string }) => {
        if (event.stream) process.stderr.write(event.stream);
        else if (event.status) process.stderr.write(`${event.status}\n`);
      },
    );
  });
}
