// `npm run images`: assembles the build context on the host (Maven-resolved jars, Node binary, bundled
// configurator) and builds the images through the Docker API: namesrv and broker, and the proxy for a RocketMQ
// version that has one (5.x). An image whose context is unchanged is skipped. `platform` builds for another CPU
// (see platform.ts).
import { copyFileSync, cpSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { build as esbuild } from "esbuild";
import { resolveProxyJars, resolveRocketmqJars } from "./maven.ts";
import { buildConsoleImage } from "./console.ts";
import { CONTEXT_LABEL, NODE_BUNDLE, REPO_ROOT, dockerBuild, freshContext, hashTree, inspect, type BuiltImage } from "./docker.ts";

export { REPO_ROOT, type BuiltImage } from "./docker.ts";
import { javaRuntime } from "./java-runtime.ts";
import { nodeBinary } from "./node-binary.ts";
import { defaultBaseImage, engineArch, platformTag, requireArch, resolvePlatform, type Platform } from "./platform.ts";
import { run } from "./run.ts";
import { DEFAULT_ROCKETMQ_VERSION, IMAGE_ROLES, UNPUBLISHED_VERSIONS, imageName, imageRolesOf, type ImageRole } from "./versions.ts";

export interface BuildOptions {
  rocketmqVersion?: string;
  baseImage?: string;
  force?: boolean;
  docker?: Docker;
  /** `linux/amd64` or `linux/arm64`; the engine's own by default. */
  platform?: string;
  /** Only these of the version's JVM roles (all by default); the console unless `console` is false. */
  roles?: readonly ImageRole[];
  console?: boolean;
  /** The build steps' CPU weight (Docker's cpu-shares; 1024 is a container's default): low lets other work go first. */
  cpuShares?: number;
}

/** Emulated JVMs start several times slower: the class-data training waits this long for each role. */
const CDS_WAIT_SECONDS = { native: 120, emulated: 900 };

export async function buildImages(options: BuildOptions = {}): Promise<BuiltImage[]> {
  const version = options.rocketmqVersion ?? DEFAULT_ROCKETMQ_VERSION;
  const docker = options.docker ?? new Docker();
  const platform = await resolvePlatform(docker, options.platform);
  const baseImage = options.baseImage ?? defaultBaseImage(platform);
  const instead = UNPUBLISHED_VERSIONS[version];
  if (instead) {
    throw new Error(
      `RocketMQ ${version}'s rocketmq-broker and rocketmq-namesrv jars were never published to Maven Central, so no image ` +
        `can be built from it; ${instead} is the nearest release that was: npm run images -- --rocketmq ${instead}`,
    );
  }
  // Fails early, naming the supported versions, for a version we cannot validate.
  const available = imageRolesOf(version);
  const roles = available.filter((role) => (options.roles ?? IMAGE_ROLES).includes(role));
  for (const role of IMAGE_ROLES.filter((r) => !available.includes(r))) {
    process.stderr.write(`RocketMQ ${version} has no ${role} (it ships with RocketMQ 5.x): ${imageName(role, version)} is not built\n`);
  }

  await ensureBaseImage(docker, baseImage, platform);
  // The Java runtime is made by the engine's own CPU, in its own Debian base.
  const native: Platform = { arch: await engineArch(docker), foreign: false };
  const nativeBase = platform.foreign ? defaultBaseImage(native) : baseImage;
  if (platform.foreign) await ensureBaseImage(docker, nativeBase, native);
  const buildDir = join(REPO_ROOT, "build");
  // A context of this process's own, removed after: test files run in parallel processes, and each may build (or
  // find up to date) the same images.
  const context = freshContext(platformTag(version, platform));
  try {
    const mavenDir = join(buildDir, "maven", version);
    // The jars (Maven), the Java runtime (jlink in a container) and node (npm) come from three sources that wait on
    // the network more than on the CPU: fetched side by side.
    const [jars, runtime, node] = await Promise.all([
      resolveRocketmqJars(version, mavenDir, docker, baseImage).then(async (lib) => ({
        lib,
        proxy: roles.includes("proxy") ? await resolveProxyJars(version, lib, mavenDir, docker, baseImage) : undefined,
      })),
      javaRuntime(docker, join(buildDir, "cache"), nativeBase, platform.arch),
      nodeBinary(join(buildDir, "cache"), platform.arch),
    ]);
    cpSync(jars.lib, join(context, "lib"), { recursive: true });
    // The Dockerfile copies lib-proxy in the stage that trims native libraries: empty without a proxy image.
    mkdirSync(join(context, "lib-proxy"));
    if (jars.proxy) cpSync(jars.proxy, join(context, "lib-proxy"), { recursive: true });
    // The runtime links its modules' shared legal files relatively; copied as they are.
    cpSync(runtime, join(context, "java"), { recursive: true, verbatimSymlinks: true });
    copyFileSync(node, join(context, "node"));
    cpSync(join(REPO_ROOT, "docker", "rootfs"), join(context, "rootfs"), { recursive: true });
    cpSync(join(REPO_ROOT, "docker", "cds"), join(context, "cds"), { recursive: true });
    copyFileSync(join(REPO_ROOT, "docker", "Dockerfile"), join(context, "Dockerfile"));
    await bundleConfigurator(join(context, "appliance"), version);

    const hash = hashTree(context, `${baseImage} ${platform.arch}`);
    const buildargs = {
      BASE_IMAGE: baseImage,
      ROCKETMQ_VERSION: version,
      CDS_WAIT_SECONDS: String(platform.foreign ? CDS_WAIT_SECONDS.emulated : CDS_WAIT_SECONDS.native),
      CDS_BEST_EFFORT: platform.foreign ? "1" : "0",
    };
    const results: BuiltImage[] = [];
    for (const role of roles) {
      const tags = [version, ...(version === DEFAULT_ROCKETMQ_VERSION ? ["latest"] : [])].map((t) =>
        imageName(role, platformTag(t, platform)),
      );
      const existing = await inspect(docker, tags[0]!);
      const skipped = !options.force && existing?.Config?.Labels?.[CONTEXT_LABEL] === hash;
      if (skipped) {
        process.stderr.write(`${tags[0]} is up to date\n`);
      } else {
        process.stderr.write(`building ${tags.join(", ")}\n`);
        await dockerBuild(docker, context, {
          target: role,
          tags,
          hash,
          buildargs,
          platform: `linux/${platform.arch}`,
          cpuShares: options.cpuShares,
        });
      }
      for (const tag of tags.slice(1)) {
        const [repo = "", t = "latest"] = tag.split(":");
        await docker.getImage(tags[0]!).tag({ repo, tag: t });
      }
      const info = await docker.getImage(tags[0]!).inspect();
      requireArch(info, platform);
      results.push({ role, name: tags[0]!, tags, skipped, sizeBytes: info.Size });
    }
    if (options.console !== false) results.push(await buildConsoleImage(docker, baseImage, platform, options.force));
    return results;
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** esbuild options for a single-file ESM bundle run by the images' node. */

export async function bundleConfigurator(outDir: string, version: string): Promise<void> {
  mkdirSync(join(outDir, "versions"), { recursive: true });
  await esbuild({ ...NODE_BUNDLE, entryPoints: [join(REPO_ROOT, "src", "entrypoint", "cli.ts")], outfile: join(outDir, "appliance.mjs") });
  // The health check apart: the process that keeps its verdict runs for the container's life, so it carries no more.
  await esbuild({
    ...NODE_BUNDLE,
    entryPoints: [join(REPO_ROOT, "src", "entrypoint", "health-cli.ts")],
    outfile: join(outDir, "health.mjs"),
  });
  copyFileSync(join(REPO_ROOT, "src", "catalogue", "versions", `${version}.json`), join(outDir, "versions", `${version}.json`));
}

export async function ensureBaseImage(docker: Docker, baseImage: string, platform: Platform): Promise<void> {
  const present = await inspect(docker, baseImage);
  if (present) {
    requireArch(present, platform);
    return;
  }
  process.stderr.write(`base image ${baseImage} is not present; pulling\n`);
  try {
    const stream = await docker.pull(baseImage, { platform: `linux/${platform.arch}` });
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
