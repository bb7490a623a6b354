// The files the JVM reads: its config file, with secrets in clear, and its argfile. They are for the one user
// that runs both the configurator and the JVM: files 0600 in a directory 0700 that this user owns. Each file is
// written whole under a temporary name and renamed into place, so the JVM never reads a half-written one.
import { chmodSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { IMAGE_RUNTIME_DIR } from "../configurator/file-names.ts";

/** Where the configuration, the JVM's argfile and the health verdict go (RMQ_RUNTIME_DIR moves it, for tests). */
export const RUNTIME_DIR = process.env.RMQ_RUNTIME_DIR ?? IMAGE_RUNTIME_DIR;

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` for this user alone, or tightens it to 0700 if it exists; returns why it cannot be private.
 * A directory owned by another user (or a link to one) could be listed, or its files swapped, by that user.
 */
export function makePrivateDir(dir: string): string | undefined {
  const uid = process.getuid?.();
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const stat = lstatSync(dir);
    if (!stat.isDirectory()) return `${dir} is not a directory (a link?); the configuration with its secrets is written there`;
    if (uid !== undefined && stat.uid !== uid) {
      return `${dir} belongs to uid ${stat.uid}, not to uid ${uid} that runs RocketMQ; it holds the configuration with its secrets, so it must be this user's own (remove it, or mount a tmpfs with uid=${uid},mode=0700)`;
    }
    chmodSync(dir, PRIVATE_DIR_MODE);
    return undefined;
  } catch (e) {
    return `${dir} cannot be made private to uid ${uid} (${(e as Error).message})`;
  }
}

/** Writes `text` to `path` (in a directory from makePrivateDir), mode 0600, replacing the file atomically. */
export function writePrivateFile(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  // "wx": always a new file, so the mode applies (umask can only narrow it) and no planted file or link is reused.
  writeFileSync(tmp, text, { mode: PRIVATE_FILE_MODE, flag: "wx" });
  renameSync(tmp, path);
}
