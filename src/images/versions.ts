// Pinned versions of what goes into the images. The RocketMQ default is the newest 5.x release whose modules
// are all on Maven Central (5.5.1 was published only in part).
import { rolesOf } from "../catalogue/catalogue.ts";

export const DEFAULT_ROCKETMQ_VERSION = "5.5.0";
/** Releases whose server jars never reached Maven Central, so no image can be built from them. */
export const UNPUBLISHED_VERSIONS: Record<string, string> = {
  "4.9.8": "4.9.7",
  "4.9.6": "4.9.7",
};
export const NODE_VERSION = "22.23.3";
export const IMAGE_REPOSITORY = "rocketmq-appliance";
/** The proxy image exists for RocketMQ versions whose catalogue has a proxy (5.x). */
export const IMAGE_ROLES = ["namesrv", "broker", "proxy"] as const;
export type ImageRole = (typeof IMAGE_ROLES)[number];

/** The JVM images a RocketMQ version has (the proxy only from 5.x), from its catalogue. */
export function imageRolesOf(version: string): ImageRole[] {
  const roles: string[] = rolesOf(version);
  return IMAGE_ROLES.filter((role) => roles.includes(role));
}

export function imageName(role: ImageRole, tag: string = "latest"): string {
  return `${IMAGE_REPOSITORY}/${role}:${tag}`;
}
