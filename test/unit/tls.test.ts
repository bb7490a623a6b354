// TLS_* → RocketMQ's TLS settings, without a JVM: the plan for each role, and every problem at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { EnvVariable } from "../../src/configurator/env.ts";
import { renderTlsProperties, resolveTls } from "../../src/configurator/tls.ts";
import { isEncryptedKey, pemProblem } from "../../src/configurator/pem.ts";
import { jvmArguments, renderAnnotated } from "../../src/configurator/render.ts";
import { parseProperties } from "../../src/configurator/properties.ts";
import { GOOD_BROKER, GOOD_PROXY, resolveFor } from "./fixtures.ts";
import type { ConfigError } from "../../src/configurator/types.ts";

const files: Record<string, string> = {
  "/tls/cert.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  "/tls/key.pem": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
  "/tls/enc.pem": "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----\n",
  "/tls/rsa.pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n",
  "/tls/ca.pem": "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n",
};
const vars = (env: Record<string, string>) =>
  new Map<string, EnvVariable>(Object.entries(env).map(([name, value]) => [name, { name, shownAs: name, value, fromFile: false }]));
const plan = (role: "broker" | "namesrv" | "proxy", env: Record<string, string>) => {
  const errors: ConfigError[] = [];
  return { plan: resolveTls(role, vars(env), (p) => files[p], errors), errors };
};

test("TLS_MODE=enforcing with a certificate, a key and a CA: the mode, the properties file and the node's own TLS client", () => {
  const { plan: p, errors } = plan("broker", {
    TLS_MODE: "Enforcing",
    TLS_CERT_FILE: "/tls/cert.pem",
    TLS_KEY_FILE: "/tls/key.pem",
    TLS_CA_FILE: "/tls/ca.pem",
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(p!.systemProperties, [
    "-Dtls.server.mode=enforcing",
    "-Dtls.config.file=/tmp/rocketmq/tls.properties",
    "-Dtls.enable=true",
  ]);
  assert.equal(
    renderTlsProperties(p!),
    [
      "tls.test.mode.enable=false",
      "tls.server.need.client.auth=none",
      "tls.server.certPath=/tls/cert.pem",
      "tls.server.keyPath=/tls/key.pem",
      "tls.client.authServer=true",
      "tls.client.trustCertPath=/tls/ca.pem",
      "",
    ].join("\n"),
  );
  assert.deepEqual(p!.proxyKeys, []);
  const proxy = plan("proxy", { TLS_MODE: "permissive", TLS_CERT_FILE: "/tls/cert.pem", TLS_KEY_FILE: "/tls/key.pem" }).plan!;
  assert.deepEqual(proxy.systemProperties, ["-Dtls.server.mode=permissive", "-Dtls.config.file=/tmp/rocketmq/tls.properties"]);
  assert.deepEqual(
    proxy.proxyKeys.map((k) => `${k.key}=${k.value}`),
    ["tlsTestModeEnable=false", "tlsCertPath=/tls/cert.pem", "tlsKeyPath=/tls/key.pem"],
  );
});

test("TLS unset leaves RocketMQ's default; disabled is one property; an encrypted key takes its password as a secret", () => {
  assert.deepEqual(plan("namesrv", {}), { plan: undefined, errors: [] });
  assert.deepEqual(plan("namesrv", { TLS_MODE: "disabled" }).plan!.systemProperties, ["-Dtls.server.mode=disabled"]);
  const p = plan("broker", {
    TLS_MODE: "permissive",
    TLS_CERT_FILE: "/tls/cert.pem",
    TLS_KEY_FILE: "/tls/enc.pem",
    TLS_KEY_PASSWORD: "k3y-pass",
  }).plan!;
  assert.deepEqual(
    p.properties.find((q) => q.key === "tls.server.keyPassword"),
    { key: "tls.server.keyPassword", value: "k3y-pass", secret: true },
  );
});

test("every TLS problem at once: missing files, a PKCS#1 key with the command that converts it, no password, files without TLS_MODE", () => {
  const { plan: p, errors } = plan("broker", { TLS_MODE: "enforcing", TLS_KEY_FILE: "/tls/rsa.pem", TLS_CA_FILE: "/tls/missing.pem" });
  assert.equal(p, undefined);
  const lines = errors.map((e) => `${e.subject}${e.value ? `=${e.value}` : ""} ${e.problem}`);
  assert.equal(lines.length, 3, lines.join("\n"));
  assert.match(lines[0]!, /^TLS_CERT_FILE is not set, and TLS_MODE=enforcing needs it/);
  assert.match(lines[1]!, /^TLS_KEY_FILE=\/tls\/rsa.pem holds a PKCS#1 key.*openssl pkcs8 -topk8/);
  assert.match(lines[2]!, /^TLS_CA_FILE=\/tls\/missing.pem names a file that cannot be read/);
  const encrypted = plan("broker", { TLS_MODE: "permissive", TLS_CERT_FILE: "/tls/key.pem", TLS_KEY_FILE: "/tls/enc.pem" }).errors;
  assert.deepEqual(
    encrypted.map((e) => e.subject),
    ["TLS_CERT_FILE", "TLS_KEY_PASSWORD"],
  );
  assert.match(plan("broker", { TLS_CERT_FILE: "/tls/cert.pem" }).errors[0]!.problem, /without TLS_MODE/);
  assert.match(plan("broker", { TLS_MODE: "strict" }).errors[0]!.allowed ?? "", /disabled, permissive .* or enforcing/);
});

test("through resolve(): TLS_* read with the other variables, the proxy's keys set, the key password only from its _FILE as a secret", () => {
  const tlsFiles = { ...files, "/run/secrets/keypw": "k3y-pass\n" };
  const env = {
    ...GOOD_PROXY,
    TLS_MODE: "enforcing",
    TLS_CERT_FILE: "/tls/cert.pem",
    TLS_KEY_FILE: "/tls/enc.pem",
    TLS_KEY_PASSWORD_FILE: "/run/secrets/keypw",
  };
  const r = resolveFor("proxy", env, { files: tlsFiles });
  assert.deepEqual(r.messages, []);
  assert.equal(r.settings.get("tlsCertPath")?.value, "/tls/cert.pem");
  assert.equal(r.settings.get("tlsTestModeEnable")?.value, "false");
  // The proxy's gRPC server reads the key's password from rmq-proxy.json only.
  assert.deepEqual(
    { value: r.settings.get("tlsKeyPassword")?.value, secret: r.settings.get("tlsKeyPassword")?.secret },
    { value: "k3y-pass", secret: true },
  );
  assert.ok(r.tls!.systemProperties.includes("-Dtls.enable=true"));
  const args = jvmArguments(
    "proxy",
    { heap: "256m", directMemory: undefined, decision: "" } as never,
    { rocketmqHome: "/opt/rocketmq", logbackFile: "l", confFile: "c" },
    undefined,
    r.tls!.systemProperties,
  );
  assert.ok(args.indexOf("-Dtls.server.mode=enforcing") < args.indexOf("org.apache.rocketmq.proxy.ProxyStartup"));
  assert.match(renderTlsProperties(r.tls!), /^tls\.server\.keyPassword=k3y-pass$/m);
  const typo = resolveFor(
    "broker",
    { ...GOOD_BROKER, TLS_MODE: "enforcing", TLS_CERT_FILE: "/tls/cert.pem", TLS_KEY_FILE: "/tls/key.pem", TLS_MDOE: "x" },
    { files: tlsFiles },
  );
  assert.ok(
    typo.messages.some((m) => /^TLS_MDOE is not a variable this image reads; did you mean TLS_MODE\?/.test(m)),
    typo.messages.join("\n"),
  );
});

test("tls.properties gives back the key's password exactly: a line break refused, the rest escaped as Properties.store does", () => {
  const withPassword = (password: string) =>
    plan("broker", { TLS_MODE: "permissive", TLS_CERT_FILE: "/tls/cert.pem", TLS_KEY_FILE: "/tls/enc.pem", TLS_KEY_PASSWORD: password });
  for (const bad of ["k3y-pass\ntls.test.mode.enable true", "k3y\rpass", "k3y\u0000pass"]) {
    const { plan: p, errors } = withPassword(bad);
    assert.equal(p, undefined);
    assert.deepEqual(
      errors.map((e) => [e.subject, e.redacted, e.value]),
      [["TLS_KEY_PASSWORD", true, undefined]],
    );
    assert.match(errors[0]!.allowed!, /without control characters/);
  }
  const password = " k3y-päss\\=:#!€";
  const text = renderTlsProperties(withPassword(password).plan!);
  assert.match(text, /^tls\.server\.keyPassword=\\ k3y-p\\u00E4ss\\\\=:#!\\u20AC$/m);
  assert.ok(/^[\x20-\x7e\n]*$/.test(text), "tls.properties is printable ASCII (Properties.load reads ISO-8859-1)");
  assert.equal(parseProperties(text).find((p) => p.key === "tls.server.keyPassword")?.value, password);
});

test("print-config shows the TLS plan, the key's password redacted", () => {
  const r = resolveFor(
    "broker",
    { ...GOOD_BROKER, TLS_MODE: "permissive", TLS_CERT_FILE: "/tls/cert.pem", TLS_KEY_FILE: "/tls/enc.pem", TLS_KEY_PASSWORD: "k3y-pass" },
    { files },
  );
  const printed = renderAnnotated(r);
  assert.match(
    printed,
    /^# TLS_MODE=permissive: JVM options -Dtls.server.mode=permissive -Dtls.config.file=\/tmp\/rocketmq\/tls.properties$/m,
  );
  assert.match(printed, /^# tls.properties: tls.server.keyPassword=<redacted>$/m);
  assert.doesNotMatch(printed, /k3y-pass/);
});

test("one reading of PEM files: certificates; PKCS#8 keys for RocketMQ (PKCS#1 gets the openssl fix); any unencrypted key for the console", () => {
  const pem = (label: string) => `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;
  assert.equal(pemProblem(pem("CERTIFICATE"), "certificate"), undefined);
  assert.match(pemProblem(pem("PRIVATE KEY"), "certificate")!, /holds no PEM certificate/);
  assert.match(pemProblem(undefined, "certificate")!, /cannot be read/);
  for (const ok of ["PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]) assert.equal(pemProblem(pem(ok), "rocketmq-key"), undefined, ok);
  assert.match(pemProblem(pem("RSA PRIVATE KEY"), "rocketmq-key")!, /openssl pkcs8 -topk8/);
  for (const ok of ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]) assert.equal(pemProblem(pem(ok), "node-key"), undefined, ok);
  assert.match(pemProblem(pem("ENCRYPTED PRIVATE KEY"), "node-key")!, /encrypted/);
  assert.match(pemProblem(pem("CERTIFICATE"), "node-key")!, /holds no PEM private key/);
  assert.equal(isEncryptedKey(pem("ENCRYPTED PRIVATE KEY")), true);
  assert.equal(isEncryptedKey(pem("PRIVATE KEY")), false);
});
