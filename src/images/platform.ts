// The CPU an image is built for. The default is the Docker engine's own; another one is built under emulation
// (docker/platform/emulation.sh) from the same Dockerfiles, with a base image and a Node binary of that CPU, and
// is tagged apart (`<tag>-<arch>`), since a classic engine keeps one image per tag and this machine's own images
// must stay what the compose files and tests run.
import type Docker from "dockerode";

export const ARCHES = ["amd64", "arm64"] as const;
export type Arch = (typeof ARCHES)[number];

export interface Platform {
  arch: Arch;
  /** The engine runs another CPU natively: images are tagged `<tag>-<arch>`. */
  foreign: boolean;
}

/** Docker's and the kernel's names of a CPU in one vocabulary: `linux/aarch64` → arm64, `x86_64` → amd64. */
export function normalArch(value: string): string {
  return value
    .replace(/^linux\//, "")
    .replace(/^aarch64$/, "arm64")
    .replace(/^x86_64$/, "amd64");
}

/** `linux/arm64` (or `arm64`, `linux/aarch64`) → arm64; anything else is an error naming what is allowed. */
export function parsePlatform(value: string): Arch {
  const arch = normalArch(value);
  if (!(ARCHES as readonly string[]).includes(arch)) {
    throw new Error(`--platform ${value}: the images are built for ${ARCHES.map((a) => `linux/${a}`).join(" or ")}`);
  }
  return arch as Arch;
}

/** The engine's own CPU, as `docker info` says it (x86_64, aarch64). */
export async function engineArch(docker: Docker): Promise<Arch> {
  const info = (await docker.info()) as { Architecture?: string };
  return parsePlatform(info.Architecture ?? "x86_64");
}

export async function resolvePlatform(docker: Docker, platform: string | undefined): Promise<Platform> {
  const own = await engineArch(docker);
  const arch = platform ? parsePlatform(platform) : own;
  return { arch, foreign: arch !== own };
}

/** The tag an image of this platform carries: the tag itself on the engine's CPU, `<tag>-<arch>` on another. */
export function platformTag(tag: string, platform: Platform): string {
  return platform.foreign ? `${tag}-${platform.arch}` : tag;
}

/**
 * The Debian base for a platform: the official name on the engine's CPU, Docker Hub's per-architecture name
 * (arm64v8/debian, amd64/debian) on another, so that where a registry answers the real image is pulled.
 */
export function defaultBaseImage(platform: Platform): string {
  const official = "debian:bookworm-slim";
  if (!platform.foreign) return official;
  return `${platform.arch === "arm64" ? "arm64v8" : "amd64"}/${official}`;
}

/** The npm registry's package with the official Node binary for a CPU. */
export function nodePackage(arch: Arch): string {
  return `node-linux-${arch === "arm64" ? "arm64" : "x64"}`;
}

/** An engine that ignored the platform would give this machine's CPU under the other's tag: refuse it. */
export function requireArch(info: { Architecture?: string; RepoTags?: string[]; Id: string }, platform: Platform): void {
  if (info.Architecture !== platform.arch) {
    throw new Error(`${info.RepoTags?.[0] ?? info.Id} is an image for ${info.Architecture}, not ${platform.arch}`);
  }
}
