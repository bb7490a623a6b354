// The names of the files the configurator writes for RocketMQ. Their readers name them from here too: the health
// check runs in a bundle of its own (/opt/appliance/health.mjs), without the configurator's validation.
import type { Role } from "../catalogue/catalogue.ts";

/** The file RocketMQ reads: Java properties for the broker and name server, JSON for the proxy. */
export const CONF_FILE_NAME: Record<Role, string> = { broker: "broker.conf", namesrv: "namesrv.conf", proxy: "rmq-proxy.json" };

/** RocketMQ's TLS settings (-Dtls.config.file), beside the config file. */
export const TLS_PROPERTIES_NAME = "tls.properties";
