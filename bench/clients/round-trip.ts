// Shared by the round trips of the npm clients (ali-ons, rocketmq-client-nodejs). Each runs in a child Node
// process that exits when it is done: the clients keep sockets, channels and timers alive after they are
// closed, which would keep a test file's process from exiting.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface RoundTripResult {
  sent: number;
  received: number;
}

/** Sends `count` messages whose bodies start with `runId`, then receives them; `address` is what the client dials. */
export type RoundTrip = (address: string, topic: string, count: number, runId: string) => Promise<RoundTripResult>;

/** Runs the round trip of the client module at `moduleUrl` in a child process and resolves its result. */
export function inChildProcess(
  moduleUrl: string,
  client: string,
  ...[address, topic, count, runId]: Parameters<RoundTrip>
): Promise<RoundTripResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [fileURLToPath(moduleUrl), address, topic, String(count), runId],
      { timeout: 180_000 },
      (error, stdout, stderr) => {
        const line = stdout.split("\n").find((l) => l.startsWith("{"));
        if (error || !line) reject(new Error(`${client} round trip failed: ${error?.message ?? "no result"}\n${stdout}${stderr}`));
        else resolve(JSON.parse(line) as RoundTripResult);
      },
    );
  });
}

/** The child's side: when node was started with the module at `moduleUrl`, runs the round trip, prints the result and exits. */
export function runIfMain(moduleUrl: string, roundTrip: RoundTrip): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  const [address, topic, count, runId] = process.argv.slice(2) as [string, string, string, string];
  roundTrip(address, topic, Number(count), runId).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}

/** Calls `action` until it succeeds, every 500 ms; after `deadline` (epoch ms), its error is thrown. */
export async function retryUntil<T>(action: () => Promise<T>, deadline: number): Promise<T> {
  for (;;) {
    try {
      return await action();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
