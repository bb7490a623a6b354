// The names of the files the configurator writes for RocketMQ. Their readers name them from here too: the health
// check runs in a bundle of its own (/opt/appliance/health.mjs), without the configurator's validation.
import type { Role } from "../catalogue/catalogue.ts";

/** The file RocketMQ reads: Java properties for the broker and name server, JSON for the proxy. */
export const CONF_FILE_NAME: Record<Role, string> = { broker: "broker.conf", namesrv: "namesrv.conf", proxy: "rmq-proxy.json" };

/** Where the images write these files (a directory private to the user that runs RocketMQ). */
export const IMAGE_RUNTIME_DIR = "/tmp/rocketmq";

/**
 * Where a RocketMQ 5 broker writes its settings when they are changed at run time (UPDATE_BROKER_CONFIG, as
 * `mqadmin updateBrokerConfig` sends): all of them, in a file of RocketMQ's own, so that the rendered config file is
 * never rewritten. Nothing reads it back: the next start renders the config anew.
 */
export const BROKER_UPDATES_NAME = "broker-updates.properties";

/** RocketMQ's TLS settings (-Dtls.config.file), beside the config file. */
export const TLS_PROPERTIES_NAME = "tls.properties";
