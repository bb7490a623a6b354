// npm run images [-- --rocketmq 5.5.0] [--platform linux/arm64] [--base-image debian:bookworm-slim] [--force]
//                  [--roles namesrv,broker,proxy,console] [--cpu-shares 2]
// npm run images -- --export FILE [--rocketmq 5.5.0]: both CPUs' images (built before) in one OCI archive
import { parseArgs } from "node:util";
import Docker from "dockerode";
import { buildImages } from "./build.ts";
import { exportImages } from "./export.ts";
import { DEFAULT_ROCKETMQ_VERSION, IMAGE_ROLES, type ImageRole } from "./versions.ts";

const { values } = parseArgs({
  options: {
    rocketmq: { type: "string" },
    platform: { type: "string" },
    "base-image": { type: "string" },
    force: { type: "boolean", default: false },
    export: { type: "string" },
    roles: { type: "string" },
    "cpu-shares": { type: "string" },
  },
});

const started = Date.now();
if (values.export) {
  const result = await exportImages(new Docker(), values.rocketmq ?? DEFAULT_ROCKETMQ_VERSION, values.export).catch((e: Error) => {
    process.stderr.write(`npm run images -- --export: ${e.message}\n`);
    process.exit(1);
  });
  for (const image of result.images) process.stdout.write(`${image.name}: ${image.platforms.map((a) => `linux/${a}`).join(", ")}\n`);
  process.stdout.write(`${result.file}: ${(result.bytes / 1e6).toFixed(0)} MB, done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  process.exit(0);
}
const roles = values.roles?.split(",").map((r) => r.trim());
const unknown = roles?.filter((r) => r !== "console" && !(IMAGE_ROLES as readonly string[]).includes(r)) ?? [];
const shares = values["cpu-shares"] === undefined ? undefined : Number(values["cpu-shares"]);
if (unknown.length || (shares !== undefined && !(Number.isInteger(shares) && shares >= 2 && shares <= 262144))) {
  process.stderr.write(
    unknown.length
      ? `npm run images: --roles ${unknown.join(",")}: the images are ${[...IMAGE_ROLES, "console"].join(", ")}\n`
      : "npm run images: --cpu-shares is a whole number from 2 to 262144 (1024 is a container's default weight)\n",
  );
  process.exit(1);
}
const images = await buildImages({
  rocketmqVersion: values.rocketmq,
  platform: values.platform,
  baseImage: values["base-image"],
  force: values.force,
  roles: roles?.filter((r): r is ImageRole => r !== "console"),
  console: roles === undefined || roles.includes("console"),
  cpuShares: shares,
}).catch((e: Error) => {
  process.stderr.write(`npm run images: ${e.message}\n`);
  process.exit(1);
});
for (const image of images) {
  process.stdout.write(`${image.tags.join(", ")}: ${(image.sizeBytes / 1e6).toFixed(0)} MB${image.skipped ? " (up to date)" : ""}\n`);
}
process.stdout.write(`done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
