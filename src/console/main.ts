// The console process: settings from the environment, the API on CONSOLE_PORT, pino request logs on stdout,
// and a graceful stop on SIGTERM (in-flight requests finish, connections to the cluster close).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RemotingClient } from "../remoting/connection.ts";
import { buildConsole } from "./app.ts";
import { RemotingClusterSource } from "./cluster-source.ts";
import { ConsoleConfigError, consoleConfig } from "./config.ts";
import { History, startSampling } from "./history.ts";

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The chart library: in the image it is in ui/ already; in the source tree it comes from node_modules. */
function chartLibrary(): Record<string, string> {
  const files = ["uPlot.esm.js", "uPlot.min.css"];
  if (files.every((f) => existsSync(join(uiDir, f)))) return {};
  try {
    const require = createRequire(import.meta.url);
    return Object.fromEntries(files.map((f) => [f, require.resolve(`uplot/dist/${f}`)]));
  } catch {
    return {};
  }
}

let config;
try {
  config = consoleConfig(process.env, readOptional);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(e instanceof ConsoleConfigError ? 2 : 70);
}

const client = new RemotingClient({ timeoutMs: config.requestTimeoutMs, credentials: config.clusterCredentials, tls: config.clusterTls });
// Next to the bundle in the image (/opt/console/ui), next to this file in the source tree.
const uiDir = fileURLToPath(new URL("./ui/", import.meta.url));
const source = new RemotingClusterSource(client, config.namesrvAddr, undefined, config.proxyAddrs);
const history = new History(config.history);
const app = buildConsole({
  config,
  source,
  uiDir: existsSync(uiDir) ? uiDir : undefined,
  uiExtraFiles: chartLibrary(),
  history,
  logger: { base: { component: "console" } },
  https: config.https,
});
if (config.passwordGenerated) {
  app.log.warn(
    `no CONSOLE_PASSWORD or CONSOLE_PASSWORD_FILE given; generated password for user ${config.user}: ${config.password} (shown once)`,
  );
}
if (config.readOnly) app.log.info("read-only: the console refuses every change (CONSOLE_READ_ONLY=true)");

const stopSampling = startSampling(history, source);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    app.log.info(`${signal}: stopping`);
    stopSampling();
    void app.close().then(() => {
      client.close();
      process.exit(0);
    });
  });
}
await app.listen({ host: "0.0.0.0", port: config.port });
