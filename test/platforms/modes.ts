// The full check of another CPU's images under emulation, run by hand (it takes long; CI runs one mode in
// arm64.test.ts): every compose mode on the `<version>-arm64` images, each started with twice its memory limits
// and a long health-check start period (the emulator's memory counts against the limit; emulated JVMs boot
// slowly), then the official Java client on the host round-trips messages through localhost:9876.
//   node test/platforms/modes.ts [--tag 5.5.0-arm64] [--modes single,2m-2s-sync,...]
// Figures: test-artifacts/arm64-modes.json.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { prepareJavaClient, roundTripArgs, runJavaClientOnHost } from "../clients/java-client.ts";
import { ComposeProject, REPO_ROOT, uniqueId } from "../integration/harness.ts";
import { MODES } from "../helm/chart.ts";

const { values } = parseArgs({ options: { tag: { type: "string", default: "5.5.0-arm64" }, modes: { type: "string" } } });
const modes = values.modes ? values.modes.split(",") : [...MODES];
const MESSAGES = 100;

interface ComposeConfig {
  services: Record<string, { image?: string; mem_limit?: number | string }>;
}

/** An override that doubles every JVM service's memory limit and gives its health check 15 minutes to start. */
async function emulationOverride(mode: string, dir: string): Promise<string> {
  const config = JSON.parse(await new ComposeProject("config", mode).ok("config", "--format", "json")) as ComposeConfig;
  const services = Object.fromEntries(
    Object.entries(config.services)
      .filter(([, s]) => /\/(namesrv|broker|proxy):/.test(s.image ?? ""))
      .map(([name, s]) => [
        name,
        { ...(s.mem_limit ? { mem_limit: Number(s.mem_limit) * 2 } : {}), healthcheck: { start_period: "900s" } },
      ]),
  );
  const file = join(dir, `${mode}.emulated.yml`);
  writeFileSync(file, stringify({ services }));
  return file;
}

await prepareJavaClient();
const dir = mkdtempSync(join(tmpdir(), "emulated-modes-"));
const results: { mode: string; healthySeconds?: number; roundTripSeconds?: number; received?: number; error?: string }[] = [];
for (const mode of modes) {
  const project = new ComposeProject(`emulated-${mode}`, mode, {
    env: { ROCKETMQ_VERSION: values.tag },
    overlays: [await emulationOverride(mode, dir)],
  });
  const started = Date.now();
  const result: (typeof results)[number] = { mode };
  try {
    await project.ok("up", "-d", "--wait", "--wait-timeout", "1200");
    result.healthySeconds = (Date.now() - started) / 1000;
    const trip = Date.now();
    const r = await runJavaClientOnHost([
      ...roundTripArgs("localhost:9876", "EmulatedTopic", MESSAGES, uniqueId("emu")),
      "--timeout-seconds",
      "600",
    ]);
    result.roundTripSeconds = (Date.now() - trip) / 1000;
    result.received = Number(/^RECEIVED (\d+)$/m.exec(r.stdout)?.[1] ?? 0);
    if (r.code !== 0) result.error = `the Java client exited ${r.code}: ${r.stderr.split("\n").slice(-5).join(" | ")}`;
  } catch (e) {
    result.error = (e as Error).message.split("\n").slice(0, 12).join("\n");
  } finally {
    await project.run("down", "-v", "--remove-orphans", "-t", "1");
  }
  results.push(result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
mkdirSync(join(REPO_ROOT, "test-artifacts"), { recursive: true });
writeFileSync(join(REPO_ROOT, "test-artifacts", "arm64-modes.json"), JSON.stringify({ tag: values.tag, results }, null, 2));
process.exit(results.every((r) => !r.error && r.received === MESSAGES) ? 0 : 1);
