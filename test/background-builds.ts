// What CI builds in the background while the tests already run (.ci/run's `background`): for a build NAME, its
// process id in build/NAME.pid, its output in build/NAME.log and, once it ended, its exit status in build/NAME.exit.
// A test that needs what such a build makes waits for it here; outside CI (no pid file) nothing is waited for.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../src/images/docker.ts";

/** How a background build ended: its exit status ("unknown" when it left none) and the seconds waited for it. */
export interface BackgroundBuild {
  exit: string;
  waitedSeconds: number;
  log: string;
}

/** Waits until the background build `name` has ended; undefined when there is none (not run by CI's script). */
export async function awaitBackgroundBuild(name: string): Promise<BackgroundBuild | undefined> {
  const pidFile = join(REPO_ROOT, "build", `${name}.pid`);
  const exitFile = join(REPO_ROOT, "build", `${name}.exit`);
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8"));
  const running = (): boolean => {
    if (existsSync(exitFile)) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const waited = Date.now();
  while (running()) await new Promise((r) => setTimeout(r, 1000));
  const exit = existsSync(exitFile) ? readFileSync(exitFile, "utf8").trim() : "unknown";
  return { exit, waitedSeconds: (Date.now() - waited) / 1000, log: join("build", `${name}.log`) };
}

/** Waits for the background build `name` and throws, with the end of its log, when it failed. */
export async function requireBackgroundBuild(name: string): Promise<void> {
  const build = await awaitBackgroundBuild(name);
  if (!build || build.exit === "0") return;
  const log = existsSync(join(REPO_ROOT, build.log)) ? readFileSync(join(REPO_ROOT, build.log), "utf8").slice(-4000) : "";
  throw new Error(`the background build ${name} failed (exit ${build.exit}; ${build.log}):\n${log}`);
}
