// Bundled into the images as /opt/appliance/appliance.mjs.
import { main } from "./main.ts";

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`configurator failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(70);
  },
);
