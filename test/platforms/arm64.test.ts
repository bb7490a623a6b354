// The linux/arm64 images, built on this machine from the same Dockerfiles and run under emulation (qemu-user,
// docker/platform/emulation.sh): what they contain, and a name server and broker started by the Testcontainers
// module that the official Java client on the host round-trips messages through. Native arm64 hardware runs
// them at full speed; here the point is that the images are right, not fast.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Docker from "dockerode";
import { buildImages, type BuiltImage } from "../../src/images/build.ts";
import { exportImages } from "../../src/images/export.ts";
import { platformTag, resolvePlatform } from "../../src/images/platform.ts";
import { DEFAULT_ROCKETMQ_VERSION, imageName } from "../../src/images/versions.ts";
import { RocketMQContainer, type StartedRocketMQContainer } from "../../src/testcontainers/index.ts";
import { prepareJavaClient, roundTripArgs, runJavaClientOnHost } from "../clients/java-client.ts";
import { awaitBackgroundBuild } from "../background-builds.ts";
import { report } from "../integration/cluster.ts";
import { REPO_ROOT, dockerAvailability, dockerOk, ensureImages, sh, uniqueId } from "../integration/harness.ts";

const skip = await dockerAvailability();
const VERSION = DEFAULT_ROCKETMQ_VERSION;
// `<tag>-arm64` on an amd64 engine; the plain tags on an arm64 one.
const ARM64 = skip ? { arch: "arm64" as const, foreign: true } : await resolvePlatform(new Docker(), "linux/arm64");
const BROKER = imageName("broker", platformTag(VERSION, ARM64));
const NAMESRV = imageName("namesrv", platformTag(VERSION, ARM64));
interface OciIndex {
  manifests: { digest: string; platform?: { architecture: string }; annotations?: Record<string, string> }[];
}
/** ELF e_machine values. */
const AARCH64 = 183;
const NATIVE = /[.](so|dll|dylib|jnilib|a)$/;
const ARM64_LIBRARY = /aarch_?64|arm64/;

describe("arm64 images under emulation", { skip, timeout: 60 * 60_000 }, () => {
  let built: BuiltImage[] = [];
  const work = mkdtempSync(join(tmpdir(), "arm64-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  before(
    async () => {
      const emulation = await sh("bash", ["docker/platform/emulation.sh", "arm64"]);
      if (emulation.code !== 0) throw new Error(`arm64 emulation could not be turned on:\n${emulation.stdout}${emulation.stderr}`);
      const started = Date.now();
      await backgroundBuild();
      // The roles of one mode (single): the proxy and console images add build time, not coverage of the CPU.
      [built] = await Promise.all([
        buildImages({ platform: "linux/arm64", roles: ["namesrv", "broker"], console: false }),
        prepareJavaClient(),
      ]);
      report(
        `arm64: namesrv and broker images ${built.every((b) => b.skipped) ? "up to date" : "built"} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    },
    { timeout: 45 * 60_000 },
  );

  test("the images are arm64: in their config, in their java and node binaries, and in every native library their jars keep", async () => {
    assert.deepEqual(
      built.map((b) => b.name),
      [NAMESRV, BROKER],
    );
    for (const image of [NAMESRV, BROKER]) {
      assert.equal((await dockerOk("image", "inspect", "-f", "{{.Os}}/{{.Architecture}}", image)).trim(), "linux/arm64", image);
      const dir = join(work, image.replace(/[/:]/g, "_"));
      const copy = (to: string): string => `${dir}-${to}`;
      const id = (await dockerOk("create", "--platform", "linux/arm64", image)).trim();
      try {
        for (const [from, to] of [
          ["/opt/java/bin/java", "java"],
          ["/opt/java/lib/server/libjvm.so", "libjvm.so"],
          ["/usr/local/bin/node", "node"],
          ["/bin/busybox", "busybox"],
          ["/opt/rocketmq/lib", "lib"],
        ] as [string, string][]) {
          await dockerOk("cp", "-L", `${id}:${from}`, copy(to));
        }
      } finally {
        await dockerOk("rm", id);
      }
      for (const binary of ["java", "libjvm.so", "node", "busybox"]) {
        assert.equal(elfMachine(copy(binary)), AARCH64, `${image} ${binary} is an aarch64 ELF file`);
      }
      const natives = readdirSync(copy("lib"))
        .filter((f) => f.endsWith(".jar"))
        .flatMap((jar) =>
          zipEntries(readFileSync(join(copy("lib"), jar)))
            .filter((e) => NATIVE.test(e))
            .map((e) => `${jar}!${e}`),
        );
      // Netty's epoll libraries are Linux-only and do not say so; every other library names its OS.
      const foreign = natives.filter(
        (n) => !n.endsWith(".so") || !ARM64_LIBRARY.test(n) || /osx|darwin|mac|windows|win32|win64|freebsd/i.test(n),
      );
      assert.deepEqual(foreign, [], `${image}: only Linux arm64 native libraries are left in the jars`);
      if (image === BROKER) {
        assert.ok(
          natives.some((n) => /rocksdbjni.*linux-aarch64/.test(n)),
          `the broker keeps RocksDB's aarch64 library: ${natives.join(" ")}`,
        );
      }
      report(`arm64: ${image}: ${natives.length} native libraries, all linux arm64`);
    }
  });

  test("docker run --platform linux/arm64 runs the emulated CPU, and print-config names the arm64 native libraries on the class path", async () => {
    assert.equal((await dockerOk("run", "--rm", "--platform", "linux/arm64", "--entrypoint", "uname", BROKER, "-m")).trim(), "aarch64");
    const config = await dockerOk("run", "--rm", "--platform", "linux/arm64", "-e", "NAMESRV_ADDR=127.0.0.1:9876", BROKER, "print-config");
    const natives = config.split("\n").filter((line) => line.startsWith("# native library: "));
    assert.ok(natives.length > 0, config);
    for (const line of natives) assert.match(line, ARM64_LIBRARY, line);
    assert.ok(
      natives.some((line) => /rocksdbjni/.test(line)),
      natives.join("\n"),
    );
  });

  test("--export writes an OCI archive: the image's index holds the amd64 and the arm64 image, each the same as this engine's", async () => {
    await ensureImages();
    const name = imageName("namesrv", VERSION);
    const file = join(work, "namesrv.oci.tar");
    const started = Date.now();
    await exportImages(new Docker(), VERSION, file, [name]);
    const layout = join(work, "layout");
    mkdirSync(layout);
    const unpacked = await sh("tar", ["-x", "-f", file, "-C", layout]);
    assert.equal(unpacked.code, 0, unpacked.stderr);
    const blob = (digest: string): Buffer => readFileSync(join(layout, "blobs", "sha256", digest.replace("sha256:", "")));
    const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as OciIndex;
    assert.equal(index.manifests.length, 1);
    assert.equal(index.manifests[0]!.annotations?.["org.opencontainers.image.ref.name"], name);
    const platforms = (JSON.parse(blob(index.manifests[0]!.digest).toString()) as OciIndex).manifests;
    assert.deepEqual(
      platforms.map((m) => m.platform?.architecture),
      ["amd64", "arm64"],
    );
    for (const [i, tag] of [name, NAMESRV].entries()) {
      const manifest = JSON.parse(blob(platforms[i]!.digest).toString()) as {
        config: { digest: string };
        layers: { digest: string; size: number }[];
      };
      // The config blob is the image's config: its digest is the image id this engine gives it.
      assert.equal(manifest.config.digest, (await dockerOk("image", "inspect", "-f", "{{.Id}}", tag)).trim(), tag);
      for (const layer of manifest.layers) assert.equal(blob(layer.digest).length, layer.size, `${tag} layer ${layer.digest}`);
    }
    report(
      `arm64: --export of the name server for both CPUs: ${(statSync(file).size / 1e6).toFixed(0)} MB in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  });

  test("the Testcontainers module starts the arm64 name server and broker, and the Java client round-trips 100 messages", async () => {
    const started = Date.now();
    let container: StartedRocketMQContainer | undefined;
    const label = { "rocketmq-appliance.test": uniqueId("arm64-weight") };
    const lowWeight = await atLowestCpuWeight(label);
    try {
      container = await new RocketMQContainer(BROKER)
        .withLabels(label)
        .withStartupTimeout(15 * 60_000)
        .start();
      const healthy = (Date.now() - started) / 1000;
      assert.equal((await lowWeight.updated()).length, 2, "the name server and the broker run at cpu-shares 2");
      const runId = uniqueId("arm64");
      const trip = Date.now();
      const result = await runJavaClientOnHost([
        ...roundTripArgs(container.getNamesrvAddr(), "Arm64Topic", 100, runId),
        "--timeout-seconds",
        "300",
      ]);
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, /^RECEIVED 100$/m);
      report(
        `arm64 (emulated): name server and broker healthy in ${healthy.toFixed(0)} s; 100 messages round-tripped in ${((Date.now() - trip) / 1000).toFixed(1)} s`,
      );
    } finally {
      await lowWeight.stop();
      await container?.stop();
    }
  });
});

/**
 * Gives every container created with `label` the lowest CPU weight (cpu-shares 2, as the background build's steps
 * have): emulated JVMs use several times the CPU of native ones, and at normal weight, beside the first lane's
 * chaos suites, they slowed those suites' name servers past their clients' timeouts. `updated`: the containers
 * given it so far; `stop` ends the watch.
 */
async function atLowestCpuWeight(label: Record<string, string>): Promise<{ updated: () => Promise<string[]>; stop: () => Promise<void> }> {
  const docker = new Docker();
  const [[key, value]] = Object.entries(label) as [[string, string]];
  const events = (await docker.getEvents({
    filters: { type: ["container"], event: ["create"], label: [`${key}=${value}`] },
  })) as NodeJS.ReadableStream & { destroy: () => void };
  const updates: Promise<string | undefined>[] = [];
  let buffered = "";
  events.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines.filter((l) => l.trim())) {
      const id = (JSON.parse(line) as { id: string }).id;
      const update = docker.getContainer(id).update({ CpuShares: 2 });
      updates.push(update.then(() => id).catch((e: unknown) => void report(`arm64: cpu-shares of ${id}: ${String(e)}`)));
    }
  });
  return {
    updated: async () => (await Promise.all(updates)).filter((id) => id !== undefined),
    stop: async () => {
      events.destroy();
      await Promise.all(updates);
    },
  };
}

/**
 * CI builds these images in the background while the other tests run, at the lowest CPU weight (.ci/run's
 * `background arm64-images`). Waits for that build; the call to buildImages after it finds the images up to date,
 * or builds them and says why the background build failed.
 */
async function backgroundBuild(): Promise<void> {
  const build = await awaitBackgroundBuild("arm64-images");
  if (build)
    report(`arm64: the background build ended (exit ${build.exit}) ${build.waitedSeconds.toFixed(0)} s after this file began waiting`);
}

function elfMachine(path: string): number {
  const head = readFileSync(path).subarray(0, 20);
  assert.equal(head.subarray(0, 4).toString("latin1"), "\x7fELF", `${path} is an ELF file`);
  return head.readUInt16LE(18);
}

/** The entry names of a zip (a jar) from its central directory. */
function zipEntries(zip: Buffer): string[] {
  // The end-of-central-directory record is the last 22 bytes plus at most a 64 KiB comment.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  assert.ok(end >= 0, "a zip file ends with its central directory");
  const count = zip.readUInt16LE(end + 10);
  const names: string[] = [];
  for (let i = 0, at = zip.readUInt32LE(end + 16); i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, "a central directory entry");
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.subarray(at + 46, at + 46 + nameLength).toString("utf8"));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return names;
}
