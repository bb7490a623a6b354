// RocketMQ logs its settings at start, secrets included; the images' logback files show those values as <redacted>,
// for the keys the configurator names in a system property. The files' two replacements are applied here to the
// lines RocketMQ writes (the same regular expressions, read from the files); a broker's log is checked in
// test/integration/auth.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadCatalogue } from "../../src/catalogue/catalogue.ts";
import { SECRET_KEYS_PROPERTY, secretKeysProperty } from "../../src/configurator/render.ts";

const conf = (role: string) =>
  readFileSync(new URL(`../../docker/rootfs/opt/rocketmq/conf/rmq.${role}.logback.xml`, import.meta.url), "utf8");

/** The file's message pattern as a function of the message, with the system property's value put in. */
function messageLayout(xml: string, secretKeys: string): (message: string) => string {
  const unxml = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const pattern = unxml(xml.match(/<pattern>(.*)<\/pattern>/)![1]!).replaceAll(
    `\${${SECRET_KEYS_PROPERTY}:-appliance.noSecretKeys}`,
    secretKeys,
  );
  const m = pattern.match(/%replace\(%replace\(%m\)\{'(.+?)', '(.+?)'\}\)\{'(.+?)', '(.+?)'\}%n$/);
  assert.ok(m, `no %replace(%replace(%m)...) in ${pattern}`);
  const [, r1, t1, r2, t2] = m;
  return (message) => message.replace(new RegExp(r1!, "g"), t1!).replace(new RegExp(r2!, "g"), t2!);
}

test("the configurator names the role's secret keys for the logback files; 4.9.7 has none", () => {
  assert.deepEqual(secretKeysProperty(loadCatalogue("5.5.0", "broker")), [
    `-D${SECRET_KEYS_PROPERTY}=initAuthenticationUser|innerClientAuthenticationCredentials|metricsGrpcExporterHeader|socksProxyConfig`,
  ]);
  assert.match(secretKeysProperty(loadCatalogue("5.5.0", "proxy"))[0]!, /\|tlsKeyPassword$/);
  assert.deepEqual(secretKeysProperty(loadCatalogue("4.9.7", "broker")), []);
});

test("each JVM role's logback file shows secrets' values as <redacted>: settings at start, a config update, the proxy's JSON", () => {
  const keys = "initAuthenticationUser|metricsGrpcExporterHeader|socksProxyConfig|tlsKeyPassword";
  for (const role of ["namesrv", "broker", "proxy"]) {
    const layout = messageLayout(conf(role), keys);
    assert.equal(layout("metricsGrpcExporterHeader=x-api-key:K3y"), "metricsGrpcExporterHeader=<redacted>", role);
    assert.equal(layout('socksProxyConfig={"0.0.0.0/0":{"password":"pw"}}'), "socksProxyConfig=<redacted>", role);
    assert.equal(layout("brokerName=broker-a"), "brokerName=broker-a", role);
    assert.equal(layout("xmetricsGrpcExporterHeader=kept"), "xmetricsGrpcExporterHeader=kept", role);
    assert.equal(
      layout("updateBrokerConfig, new config: [{brokerName=b, metricsGrpcExporterHeader=K3y, a=b}] client: x"),
      "updateBrokerConfig, new config: [{brokerName=b, metricsGrpcExporterHeader=<redacted>",
      role,
    );
    assert.equal(
      layout('Current configuration: {\n\t"tlsKeyPassword":"k3y-\\"pass",\n\t"initAuthenticationUser":null,\n\t"a":"b"\n}'),
      'Current configuration: {\n\t"tlsKeyPassword":"<redacted>",\n\t"initAuthenticationUser":null,\n\t"a":"b"\n}',
      role,
    );
    // Without the system property (a JVM started by hand with these files), nothing is replaced and nothing breaks.
    const bare = messageLayout(conf(role), "appliance.noSecretKeys");
    assert.equal(bare("metricsGrpcExporterHeader=x"), "metricsGrpcExporterHeader=x");
  }
});
