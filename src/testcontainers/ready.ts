// Ready means the image's HEALTHCHECK says healthy: a name server answers, a broker is listed by its name server
// at the address it advertises, a proxy routes its cluster. A container that exits instead (the configurator
// rejected a value, exit 2) fails at once with its own messages rather than after the startup timeout.
import type Dockerode from "dockerode";
import type { WaitStrategy } from "testcontainers";
import { parseLogLine } from "../entrypoint/log-line.ts";

export class ContainerExitedError extends Error {
  readonly containerName: string;
  readonly exitCode: number;
  /** The configurator's error messages, when it was the configurator that stopped the container. */
  readonly problems: string[];
  readonly logs: string;

  constructor(containerName: string, exitCode: number, problems: string[], logs: string) {
    super(
      `${containerName} exited with status ${exitCode} before it was healthy` +
        (problems.length
          ? `:\n${problems.map((p) => `  ${p}`).join("\n")}`
          : `; its last log lines:\n${logs.split("\n").slice(-20).join("\n")}`),
    );
    this.name = "ContainerExitedError";
    this.containerName = containerName;
    this.exitCode = exitCode;
    this.problems = problems;
    this.logs = logs;
  }
}

export interface HealthyOrExitedOptions {
  /** Ready as soon as the container runs (its health is awaited later, e.g. through a node that needs it). */
  untilRunning?: boolean;
  /** Containers this one needs (the owner of its network namespace): fail at once if one of them exits. */
  needs?: { name: string; container: Dockerode.Container }[];
}

export class HealthyOrExitedWaitStrategy implements WaitStrategy {
  private timeoutMs = 120_000;
  private timeoutSet = false;
  private readonly containerName: string | undefined;
  private readonly options: HealthyOrExitedOptions;

  /** `containerName`: how errors name the container; its own name when omitted. */
  constructor(containerName?: string, options: HealthyOrExitedOptions = {}) {
    this.containerName = containerName;
    this.options = options;
  }

  async waitUntilReady(container: Dockerode.Container): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const info = await container.inspect();
      const state = info.State;
      const name = this.containerName ?? info.Name.replace(/^\//, "");
      if (state.Health?.Status === "healthy" || (this.options.untilRunning && state.Running)) return;
      await failIfExited(name, container, state);
      for (const needed of this.options.needs ?? [])
        await failIfExited(needed.name, needed.container, (await needed.container.inspect()).State);
      if (Date.now() > deadline) {
        const last = state.Health?.Log?.at(-1)?.Output?.trim();
        throw new Error(`${name} was not healthy after ${this.timeoutMs} ms${last ? `; its last health check said: ${last}` : ""}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  withStartupTimeout(startupTimeoutMs: number): this {
    this.timeoutMs = startupTimeoutMs;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.timeoutMs;
  }
}

async function failIfExited(name: string, container: Dockerode.Container, state: Dockerode.ContainerInspectInfo["State"]): Promise<void> {
  if (state.Running || state.Restarting) return;
  const logs = await containerLogs(container);
  throw new ContainerExitedError(name, state.ExitCode, errorLines(logs), logs);
}

/** Both output streams of a container, demultiplexed (8-byte frame headers when it has no TTY). */
export async function containerLogs(container: Dockerode.Container): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length && (raw[offset] === 1 || raw[offset] === 2) && raw.readUInt16BE(offset + 1) === 0) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return (offset === 0 ? raw : Buffer.concat(parts)).toString("utf8");
}

/** The configurator's ERROR messages, in the order it logged them. */
export function errorLines(logs: string): string[] {
  return logs.split("\n").flatMap((l) => {
    const line = parseLogLine(l);
    return line?.level === "ERROR" ? [line.message] : [];
  });
}
