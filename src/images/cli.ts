// npm run images [-- --rocketmq 5.5.0] [--base-image debian:bookworm-slim] [--force]
import { parseArgs } from "node:util";
import { buildImages } from "./build.ts";

const { values } = parseArgs({
  options: {
    rocketmq: { type: "string" },
    "base-image": { type: "string" },
    force: { type: "boolean", default: false },
  },
});

const started = Date.now();
const images = await buildImages({ rocketmqVersion: values.rocketmq, baseImage: values["base-image"], force: values.force }).catch(
  (e: Error) => {
    process.stderr.write(`npm run images: ${e.message}\n`);
    process.exit(1);
  },
);
for (const image of images) {
  process.stdout.write(`${image.tags.join(", ")}: ${(image.sizeBytes / 1e6).toFixed(0)} MB${image.skipped ? " (up to date)" : ""}\n`);
}
process.stdout.write(`done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
