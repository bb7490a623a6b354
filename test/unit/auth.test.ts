// AUTH_ENABLED → ACL 2.0 keys, checked without Docker: what each role gets, what is refused, and that the
// password shows nowhere but in the file RocketMQ reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderAnnotated, renderConfFile, renderToolsYml } from "../../src/configurator/render.ts";
import { parseProperties } from "../../src/configurator/properties.ts";
import { GOOD_BROKER, GOOD_PROXY, resolveFor } from "./fixtures.ts";

const PASSWORD = "S3cr3t-VALUE-xyz";
const AUTH = { AUTH_ENABLED: "true", AUTH_ADMIN_PASSWORD: PASSWORD };

test("AUTH_ENABLED gives a 5.x broker ACL 2.0: checks on, local providers, the admin as first and inner user", () => {
  const r = resolveFor("broker", { ...GOOD_BROKER, ...AUTH });
  assert.deepEqual(r.messages, []);
  const conf = new Map(parseProperties(renderConfFile(r)).map((p) => [p.key, p.value]));
  assert.equal(conf.get("authenticationEnabled"), "true");
  assert.equal(conf.get("authorizationEnabled"), "true");
  assert.match(conf.get("authenticationMetadataProvider")!, /LocalAuthenticationMetadataProvider$/);
  assert.match(conf.get("authorizationMetadataProvider")!, /LocalAuthorizationMetadataProvider$/);
  assert.deepEqual(JSON.parse(conf.get("initAuthenticationUser")!), { username: "admin", password: PASSWORD });
  assert.deepEqual(JSON.parse(conf.get("innerClientAuthenticationCredentials")!), { accessKey: "admin", secretKey: PASSWORD });
  const shown = renderAnnotated(r);
  assert.ok(!shown.includes(PASSWORD), shown);
  assert.match(shown, /# from appliance default: AUTH_ENABLED=true \(a secret: not shown\)\ninitAuthenticationUser=<redacted>/);
});

test("AUTH_ENABLED gives the proxy broker-backed providers and signed calls to brokers; name servers ignore it", () => {
  const r = resolveFor("proxy", { ...GOOD_PROXY, ...AUTH, AUTH_ADMIN_USER: "ops.admin" });
  assert.deepEqual(r.messages, []);
  const json = JSON.parse(renderConfFile(r)) as Record<string, unknown>;
  assert.equal(json.enableAclRpcHookForClusterMode, true);
  assert.equal(json.authenticationEnabled, true);
  assert.match(String(json.authenticationMetadataProvider), /ProxyAuthenticationMetadataProvider$/);
  // A JSON string holding JSON, as RocketMQ's docs write it.
  assert.deepEqual(JSON.parse(String(json.innerClientAuthenticationCredentials)), { accessKey: "ops.admin", secretKey: PASSWORD });
  assert.equal(json.initAuthenticationUser, undefined);

  const namesrv = resolveFor("namesrv", AUTH);
  assert.deepEqual(namesrv.messages, []);
  assert.ok(namesrv.notices.some((n) => /AUTH_ENABLED is ignored by name servers/.test(n)));
  assert.ok(!renderConfFile(namesrv).includes("auth"));
});

test("the password comes from AUTH_ADMIN_PASSWORD_FILE, a Docker secret", () => {
  const r = resolveFor(
    "broker",
    { ...GOOD_BROKER, AUTH_ENABLED: "TRUE", AUTH_ADMIN_PASSWORD_FILE: "/run/secrets/admin" },
    { files: { "/run/secrets/admin": `${PASSWORD}\n` } },
  );
  assert.deepEqual(r.messages, []);
  assert.equal(JSON.parse(r.settings.get("innerClientAuthenticationCredentials")!.value).secretKey, PASSWORD);
});

test("bad auth settings are refused all at once, naming the variable and never showing the password", () => {
  const missing = resolveFor("broker", { ...GOOD_BROKER, AUTH_ENABLED: "true" });
  assert.deepEqual(missing.messages.length, 1);
  assert.match(missing.messages[0]!, /^AUTH_ADMIN_PASSWORD is not set, and AUTH_ENABLED=true needs it; allowed: 8 to 128/);

  const bad = resolveFor("broker", {
    ...GOOD_BROKER,
    AUTH_ENABLED: "yes",
    AUTH_ADMIN_USER: "a b",
    AUTH_ADMIN_PASSWORD: "short",
    AUTH_ENABLE: "true",
  });
  const text = bad.messages.join("\n");
  assert.match(text, /AUTH_ENABLED="yes" must be boolean; allowed: true or false/);
  assert.match(text, /AUTH_ADMIN_USER="a b" .*allowed: 1 to 64 letters/);
  assert.match(text, /AUTH_ADMIN_PASSWORD=<redacted> .*allowed: 8 to 128 printable ASCII/);
  assert.match(text, /AUTH_ENABLE is not a variable this image reads; did you mean AUTH_ENABLED\?/);

  const withSpace = resolveFor("broker", { ...GOOD_BROKER, AUTH_ENABLED: "true", AUTH_ADMIN_PASSWORD: `${PASSWORD} x` });
  assert.match(withSpace.messages.join("\n"), /AUTH_ADMIN_PASSWORD=<redacted>/);

  const conflict = resolveFor("broker", { ...GOOD_BROKER, ...AUTH, RMQ_BROKER_AUTHORIZATION_ENABLED: "false" });
  assert.match(
    conflict.messages.join("\n"),
    /RMQ_BROKER_AUTHORIZATION_ENABLED and AUTH_ENABLED both set authorizationEnabled: to "false" and "true"; allowed: authorizationEnabled left to AUTH_ENABLED/,
  );
  const secretConflict = resolveFor("broker", {
    ...GOOD_BROKER,
    ...AUTH,
    RMQ_BROKER_INNER_CLIENT_AUTHENTICATION_CREDENTIALS: '{"accessKey":"x","secretKey":"other-S3cr3t"}',
  });
  assert.match(secretConflict.messages.join("\n"), /both set innerClientAuthenticationCredentials, to different values/);
  for (const r of [missing, bad, withSpace, conflict, secretConflict]) {
    const all = [...r.messages, ...r.notices].join("\n");
    assert.ok(!all.includes(PASSWORD) && !all.includes("short") && !all.includes("other-S3cr3t"), all);
  }
});

test("RocketMQ 4.9.7 refuses AUTH_ENABLED with the reason; false is accepted", () => {
  const r = resolveFor("broker", { ...GOOD_BROKER, ...AUTH }, { version: "4.9.7" });
  assert.equal(r.messages.length, 1);
  assert.match(r.messages[0]!, /^AUTH_ENABLED="true" needs RocketMQ 5.3 or later \(ACL 2.0\).*allowed: false on RocketMQ 4.x/);
  assert.deepEqual(resolveFor("broker", { ...GOOD_BROKER, AUTH_ENABLED: "false" }, { version: "4.9.7" }).messages, []);
});

test("mqadmin's tools.yml carries the node's credentials when authentication is on, and nothing otherwise", () => {
  const yml = renderToolsYml(resolveFor("broker", { ...GOOD_BROKER, ...AUTH, AUTH_ADMIN_USER: "ops" }));
  assert.equal(yml, `accessKey: "ops"\nsecretKey: "${PASSWORD}"\n`);
  assert.ok(renderToolsYml(resolveFor("proxy", { ...GOOD_PROXY, ...AUTH }))?.includes(PASSWORD));
  assert.equal(renderToolsYml(resolveFor("broker", GOOD_BROKER)), undefined);
  assert.equal(renderToolsYml(resolveFor("namesrv", AUTH)), undefined);
});
