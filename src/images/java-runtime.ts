// The images' Java runtime: Debian's JDK 17 trimmed by jlink to the modules RocketMQ needs, for either CPU, made
// by the engine's own CPU (docker/runtime/java-runtime.sh in a throwaway container of its Debian base). For another
// CPU that replaces installing a JDK and running jlink under emulation, the slowest part of that build.
// Kept in build/cache under a key of everything it is made from, so an unchanged runtime gives the Dockerfile's
// COPY the same files and the images' layers stay cached.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type Docker from "dockerode";
import { REPO_ROOT, inspect } from "./docker.ts";
import { type Arch } from "./platform.ts";

/** What the runtime holds: RocketMQ's name server, broker and proxy, JMX, and the mqadmin tools. */
export const JAVA_MODULES = [
  "java.base",
  "java.desktop",
  "java.logging",
  "java.management",
  "java.naming",
  "java.rmi",
  "java.sql",
  "java.xml",
  "jdk.crypto.ec",
  "jdk.httpserver",
  "jdk.management",
  "jdk.unsupported",
  "jdk.zipfs",
];

const SCRIPT = join(REPO_ROOT, "docker", "runtime", "java-runtime.sh");
/** mqadmin's launcher, compiled with the runtime into its lib/appliance (/opt/java/lib/appliance in the images). */
const LAUNCHER = join(REPO_ROOT, "docker", "runtime", "MqadminLauncher.java");

/**
 * The directory of a runtime for `arch` (bin/java, lib/, ...), made with `nativeBase`, a Debian image of the
 * engine's CPU that is present. Concurrent calls may each make it; the first to finish is kept.
 */
export async function javaRuntime(docker: Docker, cacheDir: string, nativeBase: string, arch: Arch): Promise<string> {
  const base = await inspect(docker, nativeBase);
  if (!base) throw new Error(`${nativeBase} is not present: the Java runtime is made in it`);
  const key = createHash("sha256")
    .update([readFileSync(SCRIPT, "utf8"), readFileSync(LAUNCHER, "utf8"), JAVA_MODULES.join(","), arch, base.Id].join("\n"))
    .digest("hex")
    .slice(0, 16);
  const dir = resolve(cacheDir, `java-runtime-${arch}-${key}`);
  if (existsSync(join(dir, "bin", "java"))) return dir;
  mkdirSync(cacheDir, { recursive: true });
  // Bound into the container: an absolute path.
  const work = mkdtempSync(resolve(cacheDir, `.java-runtime-${arch}-`));
  try {
    process.stderr.write(`making the Java runtime for ${arch} with jlink in ${nativeBase}\n`);
    const owner = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
    const [result] = (await docker.run(nativeBase, ["sh", "/java-runtime.sh", arch, JAVA_MODULES.join(","), owner], process.stderr, {
      HostConfig: { AutoRemove: true, Binds: [`${SCRIPT}:/java-runtime.sh:ro`, `${LAUNCHER}:/MqadminLauncher.java:ro`, `${work}:/out`] },
    })) as [{ StatusCode: number }];
    if (result.StatusCode !== 0)
      throw new Error(`making the Java runtime for ${arch} failed (exit ${result.StatusCode}; its output is above)`);
    try {
      renameSync(join(work, "java"), dir);
    } catch (e) {
      // Another process made it meanwhile.
      if (!existsSync(join(dir, "bin", "java"))) throw e;
    }
    return dir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
