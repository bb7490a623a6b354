// One OCI archive with every image of a RocketMQ version for both CPUs: per image an index with its amd64 and
// arm64 manifests, so that a registry (skopeo copy --all, crane push, regctl) or `docker load` with the containerd
// image store gives each machine its own CPU's image. Made from the images this engine holds (`npm run images` and
// `npm run images -- --platform linux/<other>`), layers gzip-compressed, each shared layer stored once.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { createGzip } from "node:zlib";
import type Docker from "dockerode";
import { CONSOLE_IMAGE } from "./console.ts";
import { inspect } from "./docker.ts";
import { ARCHES, engineArch, platformTag, requireArch, type Arch, type Platform } from "./platform.ts";
import { run } from "./run.ts";
import { imageName, imageRolesOf } from "./versions.ts";

const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

/** The images of a version, by their name on this machine's CPU (the console's is version-independent). */
export function exportedImages(version: string): string[] {
  return [...imageRolesOf(version).map((role) => imageName(role, version)), CONSOLE_IMAGE];
}

export interface ExportResult {
  file: string;
  bytes: number;
  images: { name: string; platforms: Arch[] }[];
}

export async function exportImages(docker: Docker, version: string, file: string, names = exportedImages(version)): Promise<ExportResult> {
  const own = await engineArch(docker);
  const platformOf = (arch: Arch): Platform => ({ arch, foreign: arch !== own });
  // Every image for every CPU must be here before anything is written.
  const missing: string[] = [];
  for (const name of names) {
    for (const arch of ARCHES) {
      const tag = platformTag(name, platformOf(arch));
      const info = await inspect(docker, tag);
      if (!info) missing.push(`${tag} (npm run images -- --rocketmq ${version} --platform linux/${arch})`);
      else requireArch(info, platformOf(arch));
    }
  }
  if (missing.length) throw new Error(`the archive needs every image for both CPUs; missing:\n  ${missing.join("\n  ")}`);

  const work = mkdtempSync(join(tmpdir(), "oci-export-"));
  try {
    const layout = join(work, "layout");
    mkdirSync(join(layout, "blobs", "sha256"), { recursive: true });
    const blobs = new Blobs(join(layout, "blobs", "sha256"));
    const top: Descriptor[] = [];
    for (const name of names) {
      const manifests: Descriptor[] = [];
      for (const arch of ARCHES) {
        manifests.push(await exportOne(docker, platformTag(name, platformOf(arch)), arch, join(work, "save"), blobs));
      }
      const index = blobs.json({ schemaVersion: 2, mediaType: MEDIA.index, manifests }, MEDIA.index);
      top.push({
        ...index,
        annotations: { "org.opencontainers.image.ref.name": name, "io.containerd.image.name": `docker.io/${name}` },
      });
    }
    writeFileSync(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    writeFileSync(join(layout, "index.json"), JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.index, manifests: top }));
    // Written beside the target and renamed: a failed export leaves no half archive under the name.
    const partial = `${file}.partial`;
    await run("tar", ["-cf", partial, "-C", layout, "oci-layout", "index.json", "blobs"], { quiet: true });
    renameSync(partial, file);
    return { file, bytes: statSync(file).size, images: names.map((name) => ({ name, platforms: [...ARCHES] })) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `docker save` of one image, unpacked; its config and layers become blobs and a manifest for its CPU. */
async function exportOne(docker: Docker, tag: string, arch: Arch, dir: string, blobs: Blobs): Promise<Descriptor> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // -i reads on past the end-of-archive blocks: tar would otherwise close its input before the daemon's padding.
  const tar = spawn("tar", ["-x", "-i", "-C", dir], { stdio: ["pipe", "ignore", "inherit"] });
  const exited = new Promise<number>((resolve) => tar.on("close", (code) => resolve(code ?? 1)));
  await pipeline(await docker.getImage(tag).get(), tar.stdin);
  if ((await exited) !== 0) throw new Error(`unpacking docker save of ${tag} failed`);
  const [saved] = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { Config: string; Layers: string[] }[];
  if (!saved) throw new Error(`docker save of ${tag} has no manifest`);
  const config = blobs.file(join(dir, saved.Config), MEDIA.config);
  const diffIds = (JSON.parse(readFileSync(join(dir, saved.Config), "utf8")) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
  if (diffIds.length !== saved.Layers.length)
    throw new Error(`docker save of ${tag}: ${saved.Layers.length} layers, ${diffIds.length} in its config`);
  const layers: Descriptor[] = [];
  for (const [i, layer] of saved.Layers.entries()) layers.push(await blobs.gzip(join(dir, layer), diffIds[i]!));
  const manifest = blobs.json({ schemaVersion: 2, mediaType: MEDIA.manifest, config, layers }, MEDIA.manifest);
  return { ...manifest, platform: { architecture: arch, os: "linux", ...(arch === "arm64" ? { variant: "v8" } : {}) } };
}

/** The layout's blob store: content-addressed, each layer compressed once however many images share it. */
class Blobs {
  private readonly layers = new Map<string, Descriptor>();
  private readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  json(value: unknown, mediaType: string): Descriptor {
    return this.bytes(Buffer.from(JSON.stringify(value)), mediaType);
  }

  file(path: string, mediaType: string): Descriptor {
    return this.bytes(readFileSync(path), mediaType);
  }

  private bytes(data: Buffer, mediaType: string): Descriptor {
    const hex = createHash("sha256").update(data).digest("hex");
    writeFileSync(join(this.dir, hex), data);
    return { mediaType, digest: `sha256:${hex}`, size: data.length };
  }

  /** `diffId`: the layer's uncompressed digest, from the image's config. */
  async gzip(path: string, diffId: string): Promise<Descriptor> {
    const known = this.layers.get(diffId);
    if (known) return known;
    const packed = createHash("sha256");
    const partial = join(this.dir, "layer.partial");
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _e, done) {
        packed.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(createReadStream(path), createGzip({ level: 6 }), count, createWriteStream(partial));
    const hex = packed.digest("hex");
    renameSync(partial, join(this.dir, hex));
    const descriptor = { mediaType: MEDIA.layer, digest: `sha256:${hex}`, size };
    this.layers.set(diffId, descriptor);
    return descriptor;
  }
}
