// The Node binary for the images, from the npm registry's node-linux-<arch> package (the official build).
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { nodePackage, type Arch } from "./platform.ts";
import { run } from "./run.ts";
import { NODE_VERSION } from "./versions.ts";

export async function nodeBinary(cacheDir: string, arch: Arch): Promise<string> {
  const pkg = nodePackage(arch);
  const dir = join(cacheDir, `${pkg}-${NODE_VERSION}`);
  const binary = join(dir, "bin", "node");
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`fetching ${pkg}@${NODE_VERSION} from the npm registry\n`);
  const tarball = (await run("npm", ["pack", "--silent", `${pkg}@${NODE_VERSION}`], { cwd: dir, quiet: true })).trim().split("\n").pop()!;
  await run("tar", ["xzf", tarball, "--strip-components=1"], { cwd: dir, quiet: true });
  if (!existsSync(binary)) throw new Error(`${pkg}@${NODE_VERSION} did not contain bin/node`);
  return binary;
}
