import { loadCatalogue, type Role } from "../../src/catalogue/catalogue.ts";
import { formatError, resolve, type Resolution } from "../../src/configurator/resolve.ts";
import { defaultConfFile } from "../../src/configurator/variables.ts";

export const GOOD_BROKER = { NAMESRV_ADDR: "namesrv:9876" };
export const GOOD_PROXY = { NAMESRV_ADDR: "namesrv:9876" };

export function resolveFor(
  role: Role,
  env: Record<string, string>,
  options: { conf?: string; files?: Record<string, string>; version?: string; detectedAddress?: string } = {},
): Resolution & { messages: string[] } {
  const files: Record<string, string> = { ...options.files };
  if (options.conf !== undefined) files[defaultConfFile(role)] = options.conf;
  const resolution = resolve({
    role,
    catalogue: loadCatalogue(options.version ?? "5.5.0", role),
    env,
    readFile: (path) => files[path],
    detectedAddress: options.detectedAddress ?? "172.18.0.3",
  });
  return { ...resolution, messages: resolution.errors.map(formatError) };
}
