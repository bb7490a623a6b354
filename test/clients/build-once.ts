// What the test clients' builds share: whether an output is newer than its sources, and a build run once per
// process (a failed build is tried again on the next call).
import { stat } from "node:fs/promises";

async function mtimeMs(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** True when `output` exists and is newer than every one of `inputs`. */
export async function upToDate(output: string, inputs: string[]): Promise<boolean> {
  const out = await mtimeMs(output);
  if (out === undefined) return false;
  for (const input of inputs) {
    const t = await mtimeMs(input);
    if (t === undefined || t > out) return false;
  }
  return true;
}

/** `build` run by the first call only; its promise is shared, and forgotten if it fails. */
export function once<T>(build: () => Promise<T>): () => Promise<T> {
  let building: Promise<T> | undefined;
  return () => {
    building ??= build().catch((e: unknown) => {
      building = undefined;
      throw e;
    });
    return building;
  };
}
