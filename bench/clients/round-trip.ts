// Shared by the round trips of the npm clients (ali-ons, rocketmq-client-nodejs). Each runs in a child Node
// process that exits when it is done: the clients keep sockets, channels and timers alive after they are
// closed, which would keep a test file's process from exiting.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Credentials } from "../../src/remoting/auth.ts";

export interface RoundTripResult {
  sent: number;
  received: number;
}

export interface RoundTripOptions {
  /** Sign the client's requests (ACL); they reach the child process by environment, never argv. */
  credentials?: Credentials;
  /** The longest the round trip may take, retries included; default 120 s. */
  timeoutMs?: number;
  /** Speak TLS, trusting the CA in this PEM file (clients that support it). */
  tlsCaFile?: string;
}

/** Sends `count` messages whose bodies start with `runId`, then receives them; `address` is what the client dials. */
export type RoundTrip = (
  address: string,
  topic: string,
  count: number,
  runId: string,
  options?: RoundTripOptions,
) => Promise<RoundTripResult>;

const ACCESS_KEY_VAR = "ROUNDTRIP_ACCESS_KEY";
const SECRET_KEY_VAR = "ROUNDTRIP_SECRET_KEY";
const TIMEOUT_VAR = "ROUNDTRIP_TIMEOUT_MS";
const TLS_CA_VAR = "ROUNDTRIP_TLS_CA_FILE";

/** Runs the round trip of the client module at `moduleUrl` in a child process and resolves its result. */
export function inChildProcess(moduleUrl: string, client: string, ...roundTrip: Parameters<RoundTrip>): Promise<RoundTripResult> {
  return runRoundTripProgram(client, process.execPath, [fileURLToPath(moduleUrl)], ...roundTrip);
}

/**
 * Runs a round-trip program of any language: `command args… ADDRESS TOPIC COUNT RUN_ID`, with the credentials, the
 * timeout and the CA by environment; it prints its result as one JSON line.
 */
export function runRoundTripProgram(
  client: string,
  command: string,
  args: string[],
  ...[address, topic, count, runId, options = {}]: Parameters<RoundTrip>
): Promise<RoundTripResult> {
  const { credentials, timeoutMs = 120_000, tlsCaFile } = options;
  const env = {
    ...process.env,
    [TIMEOUT_VAR]: String(timeoutMs),
    // grpc-js takes its trusted CAs from this variable, read when it loads (rocketmq-client-nodejs has no option).
    ...(tlsCaFile && { [TLS_CA_VAR]: tlsCaFile, GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: tlsCaFile }),
    ...(credentials && { [ACCESS_KEY_VAR]: credentials.accessKey, [SECRET_KEY_VAR]: credentials.secretKey }),
  };
  return new Promise((resolve, reject) => {
    execFile(command, [...args, address, topic, String(count), runId], { timeout: timeoutMs + 60_000, env }, (error, stdout, stderr) => {
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      if (error || !line) reject(new Error(`${client} round trip failed: ${error?.message ?? "no result"}\n${stdout}${stderr}`));
      else resolve(JSON.parse(line) as RoundTripResult);
    });
  });
}

/** The child's side: when node was started with the module at `moduleUrl`, runs the round trip, prints the result and exits. */
export function runIfMain(moduleUrl: string, roundTrip: RoundTrip): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  const [address, topic, count, runId] = process.argv.slice(2) as [string, string, string, string];
  const accessKey = process.env[ACCESS_KEY_VAR];
  const secretKey = process.env[SECRET_KEY_VAR];
  const credentials = accessKey && secretKey ? { accessKey, secretKey } : undefined;
  const tlsCaFile = process.env[TLS_CA_VAR] || undefined;
  roundTrip(address, topic, Number(count), runId, { credentials, timeoutMs: Number(process.env[TIMEOUT_VAR] ?? 120_000), tlsCaFile }).then(
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
