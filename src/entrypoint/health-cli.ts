// Bundled into the JVM images as /opt/appliance/health.mjs, apart from the configurator (a smaller process to keep
// running): `watch` keeps the health check's verdict current beside the JVM; `check` runs the check once.
import { healthcheck } from "./healthcheck.ts";
import { watchHealth } from "./health-watch.ts";
import { RUNTIME_DIR } from "./runtime-files.ts";

const command = process.argv[2];
if (command === "watch") await watchHealth(RUNTIME_DIR);
else if (command === "check") process.exit(await healthcheck(RUNTIME_DIR));
else {
  process.stderr.write(`health.mjs: unknown command ${JSON.stringify(command)}; commands: watch, check\n`);
  process.exit(2);
}
