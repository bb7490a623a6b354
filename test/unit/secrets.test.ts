// Secrets never reach an error, a log line or print-config; the file RocketMQ reads keeps them, for its user alone.
// Every path that reports a value is provoked with a distinctive secret, and the output searched for it.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Role } from "../../src/catalogue/catalogue.ts";
import { isSecretKey, loadCatalogue } from "../../src/catalogue/catalogue.ts";
import { renderAnnotated, renderConfFile } from "../../src/configurator/render.ts";
import { sizeMemory } from "../../src/configurator/jvm.ts";
import { ConsoleConfigError, consoleConfig } from "../../src/console/config.ts";
import { makePrivateDir, writePrivateFile } from "../../src/entrypoint/runtime-files.ts";
import { GOOD_BROKER, GOOD_PROXY, resolveFor } from "./fixtures.ts";

const SECRET = "S3cr3t-VALUE-xyz";
const CREDENTIALS = `{"accessKey":"inner","secretKey":"${SECRET}"}`;

const TLS_FILES = {
  "/tls/cert.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  "/tls/enc.pem": "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----\n",
};
const TLS_ENV = { TLS_MODE: "enforcing", TLS_CERT_FILE: "/tls/cert.pem", TLS_KEY_FILE: "/tls/enc.pem" };

function assertHidden(texts: string[], what: string): void {
  for (const text of texts) assert.ok(!text.includes(SECRET), `${what} shows the secret:\n${text}`);
}

test("the catalogue marks secret keys, by name and by the list of those whose names do not say so", () => {
  for (const key of [
    "innerClientAuthenticationCredentials",
    "tlsKeyPassword",
    "initAuthenticationUser",
    "metricsGrpcExporterHeader",
    "socksProxyConfig",
    "accessKey",
    "secretKey",
    "securityToken",
  ]) {
    assert.ok(isSecretKey(key), key);
  }
  for (const key of ["brokerName", "namesrvAddr", "tlsKeyPath", "authenticationMetadataProvider", "accessMessageInMemoryMaxRatio"]) {
    assert.ok(!isSecretKey(key), key);
  }
  // Every secret the issue names exists in the 5.5.0 catalogue under that name.
  assert.ok(loadCatalogue("5.5.0", "broker").get("innerClientAuthenticationCredentials"));
  assert.ok(loadCatalogue("5.5.0", "proxy").get("tlsKeyPassword"));
});

interface Case {
  name: string;
  role?: Role;
  env?: Record<string, string>;
  conf?: string;
  files?: Record<string, string>;
  /** Without NAMESRV_ADDR=namesrv:9876, which every other case adds. */
  bare?: boolean;
  /** One message matches it: the error names the variable and the rule. */
  expect: RegExp;
}

const cases: Case[] = [
  {
    name: "a secret key with a trailing space",
    env: { RMQ_BROKER_innerClientAuthenticationCredentials: `${CREDENTIALS} ` },
    expect: /^RMQ_BROKER_innerClientAuthenticationCredentials=<redacted> has leading or trailing whitespace/,
  },
  {
    name: "a secret key with an inline comment",
    role: "proxy",
    env: { RMQ_PROXY_tlsKeyPassword: `${SECRET} # the key's password` },
    expect: /^RMQ_PROXY_tlsKeyPassword=<redacted> contains an inline comment/,
  },
  {
    name: "a secret starting with '#' is a password, not a comment; with a space before '#' it is one",
    role: "proxy",
    env: { RMQ_PROXY_tlsKeyPassword: `#${SECRET}`, RMQ_PROXY_metricsGrpcExporterHeader: `x-api-key:${SECRET} #key` },
    expect: /^RMQ_PROXY_metricsGrpcExporterHeader=<redacted> contains an inline comment/,
  },
  {
    name: "a secret key by its UPPER_SNAKE alias",
    env: { RMQ_BROKER_INIT_AUTHENTICATION_USER: `{"username":"admin",\n"password":"${SECRET}"}` },
    expect: /^RMQ_BROKER_INIT_AUTHENTICATION_USER=<redacted> spans several lines/,
  },
  {
    name: "a _FILE secret whose content has a trailing space",
    env: { RMQ_BROKER_innerClientAuthenticationCredentials_FILE: "/run/secrets/inner" },
    files: { "/run/secrets/inner": `${CREDENTIALS} \n` },
    expect: /^RMQ_BROKER_innerClientAuthenticationCredentials_FILE=<redacted> has leading or trailing whitespace/,
  },
  {
    name: "any bad value read from a _FILE",
    env: { LISTEN_PORT_FILE: "/run/secrets/port" },
    files: { "/run/secrets/port": SECRET },
    expect: /^LISTEN_PORT_FILE=<redacted> is not a whole number/,
  },
  {
    name: "a container variable read from a _FILE",
    env: { JAVA_HEAP_FILE: "/run/secrets/heap" },
    files: { "/run/secrets/heap": SECRET },
    expect: /^JAVA_HEAP_FILE=<redacted> must match pattern/,
  },
  {
    name: "a _FILE address list without ports",
    bare: true,
    env: { NAMESRV_ADDR_FILE: "/run/secrets/ns" },
    files: { "/run/secrets/ns": `ns1:9876;${SECRET}` },
    expect: /^NAMESRV_ADDR_FILE=<redacted> entry 2 has no port/,
  },
  {
    name: "a _FILE controller list without ports",
    env: { CONTROLLER_ADDR_FILE: "/run/secrets/c" },
    files: { "/run/secrets/c": SECRET },
    expect: /^CONTROLLER_ADDR_FILE=<redacted> entry 1 has no port/,
  },
  {
    name: "a _FILE DLedger peer list with a bad entry",
    env: { DLEDGER_PEERS_FILE: "/run/secrets/p", DLEDGER_SELF_ID: "n0" },
    files: { "/run/secrets/p": `n0-h1:40911;x-${SECRET}` },
    expect: /^DLEDGER_PEERS_FILE=<redacted> has entry 2 that is not n<number>-host:port/,
  },
  {
    name: "a _FILE DLedger peer list with an id twice",
    env: { DLEDGER_PEERS_FILE: "/run/secrets/p", DLEDGER_SELF_ID: "n0" },
    files: { "/run/secrets/p": `n0-${SECRET}:40911;n0-${SECRET}:40912` },
    expect: /^DLEDGER_PEERS_FILE=<redacted> gives entry 2 an id listed before/,
  },
  {
    name: "a self id missing from a _FILE DLedger peer list",
    env: { DLEDGER_PEERS_FILE: "/run/secrets/p", DLEDGER_SELF_ID: "n3" },
    files: { "/run/secrets/p": `n0-${SECRET}:40911` },
    expect: /^DLEDGER_SELF_ID="n3" with DLEDGER_PEERS_FILE=<redacted> names a member that is not listed;/,
  },
  {
    name: "a _FILE DLedger port that clashes",
    env: { DLEDGER_PEERS_FILE: "/run/secrets/p", DLEDGER_SELF_ID: "n0" },
    files: { "/run/secrets/p": `n0-${SECRET}:10911` },
    expect:
      /^DLEDGER_PEERS_FILE=<redacted> with listenPort \(appliance default\)="10911" gives this node DLedger port <redacted>, which the broker already uses \(10909, 10911, 10912\)/,
  },
  {
    name: "a secret set both directly and by _FILE",
    env: {
      RMQ_BROKER_innerClientAuthenticationCredentials: CREDENTIALS,
      RMQ_BROKER_innerClientAuthenticationCredentials_FILE: "/run/secrets/inner",
    },
    files: { "/run/secrets/inner": CREDENTIALS },
    expect: /RMQ_BROKER_innerClientAuthenticationCredentials and RMQ_BROKER_innerClientAuthenticationCredentials_FILE are both set/,
  },
  {
    name: "a secret set by two spellings to different values",
    env: { RMQ_BROKER_innerClientAuthenticationCredentials: CREDENTIALS, RMQ_BROKER_INNER_CLIENT_AUTHENTICATION_CREDENTIALS: "other" },
    expect: /both set innerClientAuthenticationCredentials, to different values/,
  },
  {
    name: "a value from a _FILE and the same key set differently",
    env: { BROKER_NAME: "broker-b", RMQ_BROKER_brokerName_FILE: "/run/secrets/name" },
    files: { "/run/secrets/name": SECRET },
    expect: /both set brokerName, to different values/,
  },
  {
    name: "a misspelt secret key",
    env: { RMQ_BROKER_innerClientAuthenticationCredential: CREDENTIALS },
    expect: /^RMQ_BROKER_innerClientAuthenticationCredential sets unknown key .*did you mean 'innerClientAuthenticationCredentials'/,
  },
  {
    name: "a misspelt secret key read from a _FILE",
    env: { RMQ_BROKER_innerClientAuthCredentials_FILE: "/run/secrets/inner" },
    files: { "/run/secrets/inner": CREDENTIALS },
    expect: /^RMQ_BROKER_innerClientAuthCredentials_FILE sets unknown key/,
  },
  {
    name: "a misspelt prefix",
    role: "proxy",
    env: { RMQ_PROXI_tlsKeyPassword: SECRET },
    expect: /^RMQ_PROXI_tlsKeyPassword is not a variable this image reads; did you mean RMQ_PROXY_/,
  },
  { name: "a misspelt appliance variable", env: { BROKER_PASWORD: SECRET }, expect: /^BROKER_PASWORD is not a variable this image reads/ },
  {
    name: "JAVA_OPTS, which may carry -D passwords",
    env: { JAVA_OPTS: `-Dtls.server.keyPassword=${SECRET}` },
    expect: /^JAVA_OPTS is not read by this image/,
  },
  {
    name: "a misspelt secret key in a mounted file",
    conf: `innerClientAuthenticationCredential=${CREDENTIALS}\n`,
    expect: /^\/etc\/rocketmq\/broker\.conf:1 sets unknown key 'innerClientAuthenticationCredential'/,
  },
  {
    name: "a bad secret in a mounted file",
    conf: `initAuthenticationUser={"username":"admin","password":"${SECRET}"} # admin\n`,
    expect: /^\/etc\/rocketmq\/broker\.conf:1 initAuthenticationUser=<redacted> contains an inline comment/,
  },
  {
    name: "a secret set twice in a mounted file",
    conf: `innerClientAuthenticationCredentials=${CREDENTIALS}\ninnerClientAuthenticationCredentials=other\n`,
    expect: /^\/etc\/rocketmq\/broker\.conf:2=<redacted> sets innerClientAuthenticationCredentials again \(line 1 set another value\)/,
  },
  {
    name: "a misspelt secret key in a mounted rmq-proxy.json",
    role: "proxy",
    conf: `{"tlsKeyPasword": "${SECRET}"}`,
    expect: /^\/etc\/rocketmq\/rmq-proxy\.json:1 sets unknown key 'tlsKeyPasword' .*; did you mean 'tlsKeyPassword'/,
  },
  {
    name: "a TLS key password with a line break, which would add a line to tls.properties",
    env: { ...TLS_ENV, TLS_KEY_PASSWORD: `${SECRET}\ntls.test.mode.enable true` },
    files: TLS_FILES,
    expect: /^TLS_KEY_PASSWORD=<redacted> must match pattern .*; allowed: .*without control characters/,
  },
  {
    name: "a TLS key password from a _FILE with a line break inside",
    env: { ...TLS_ENV, TLS_KEY_PASSWORD_FILE: "/run/secrets/keypw" },
    files: { ...TLS_FILES, "/run/secrets/keypw": `${SECRET}\rtls.test.mode.enable true\n` },
    expect: /^TLS_KEY_PASSWORD_FILE=<redacted> must match pattern .*without control characters/,
  },
  // V8's JSON.parse message quotes the text around the error: only its position is reported.
  ...[
    { conf: `{"tlsKeyPassword": ${SECRET}}`, at: "line 1, column 20" },
    { conf: `{"tlsKeyPassword": "${SECRET}",}`, at: "line 1, column 39" },
    { conf: `{"innerClientAuthenticationCredentials": "{"accessKey":"a","secretKey":"${SECRET}"}"}`, at: "line 1, column 45" },
    { conf: `{\n  "rocketMQClusterName": "c1",\n  "tlsKeyPassword": '${SECRET}'\n}`, at: "line 3, column 21" },
  ].map(({ conf, at }) => ({
    name: `a mounted rmq-proxy.json with a syntax error at ${at}`,
    role: "proxy" as const,
    conf,
    expect: new RegExp(`^/etc/rocketmq/rmq-proxy\\.json is not valid JSON at ${at};`),
  })),
];

for (const c of cases) {
  test(`errors name the variable and the rule, not the secret: ${c.name}`, () => {
    const role = c.role ?? "broker";
    const result = resolveFor(
      role,
      { ...(c.bare ? {} : role === "proxy" ? GOOD_PROXY : GOOD_BROKER), ...c.env },
      { conf: c.conf, files: c.files },
    );
    assert.ok(
      result.messages.some((m) => c.expect.test(m)),
      `no message matches ${c.expect}:\n  ${result.messages.join("\n  ")}`,
    );
    assertHidden(result.messages, "an error");
    assertHidden(result.notices, "a notice");
    assertHidden(
      result.errors.map((e) => JSON.stringify(e)),
      "an error object",
    );
  });
}

test("non-secret values are still shown in errors", () => {
  const result = resolveFor("broker", { ...GOOD_BROKER, RMQ_BROKER_fileReservedTime: "48h" });
  assert.ok(
    result.messages.some((m) => m.startsWith('RMQ_BROKER_fileReservedTime="48h" is not a whole number')),
    result.messages.join("\n"),
  );
});

test("a notice about a value read from a _FILE does not quote it", () => {
  const result = resolveFor(
    "broker",
    { ...GOOD_BROKER, BROKER_ROLE_FILE: "/run/secrets/role", BROKER_ID: "1" },
    { files: { "/run/secrets/role": "slave" } },
  );
  assert.deepEqual(result.messages, []);
  assert.equal(result.settings.get("brokerRole")?.value, "SLAVE");
  assert.ok(
    result.notices.some((n) => n.startsWith("BROKER_ROLE_FILE: normalised")),
    result.notices.join("\n"),
  );
  assert.ok(!result.notices.some((n) => n.includes("slave")), result.notices.join("\n"));
});

test("print-config shows secrets as <redacted>; the file RocketMQ reads keeps them", () => {
  const broker = resolveFor(
    "broker",
    {
      ...GOOD_BROKER,
      RMQ_BROKER_authenticationEnabled: "true",
      RMQ_BROKER_innerClientAuthenticationCredentials: CREDENTIALS,
      RMQ_BROKER_initAuthenticationUser_FILE: "/run/secrets/init",
      BROKER_NAME_FILE: "/run/secrets/name",
    },
    { files: { "/run/secrets/init": `{"username":"admin","password":"${SECRET}"}\n`, "/run/secrets/name": `b-${SECRET}` } },
  );
  assert.deepEqual(broker.messages, []);
  const annotated = renderAnnotated(broker);
  assertHidden([annotated], "print-config");
  assert.match(
    annotated,
    /# from RMQ_BROKER_innerClientAuthenticationCredentials \(a secret: not shown\)\ninnerClientAuthenticationCredentials=<redacted>\n/,
  );
  assert.match(annotated, /# from RMQ_BROKER_initAuthenticationUser_FILE \(a secret: not shown\)\ninitAuthenticationUser=<redacted>\n/);
  assert.match(annotated, /\nbrokerName=<redacted>\n/);
  assert.match(annotated, /\ndLegerGroup=|\nauthenticationEnabled=true\n/, "other values are shown");
  const file = renderConfFile(broker);
  assert.ok(file.includes(`innerClientAuthenticationCredentials=${CREDENTIALS}`), file);
  assert.ok(file.includes(`initAuthenticationUser={"username":"admin","password":"${SECRET}"}`), file);
  assert.ok(file.includes(`brokerName=b-${SECRET}`), file);
});

test("print-config for the proxy: secrets redacted as JSON strings, whatever the key's type", () => {
  const proxy = resolveFor(
    "proxy",
    {
      ...GOOD_PROXY,
      RMQ_PROXY_tlsKeyPassword: SECRET,
      RMQ_PROXY_innerClientAuthenticationCredentials: CREDENTIALS,
      GRPC_PORT_FILE: "/run/secrets/port",
    },
    { files: { "/run/secrets/port": "9081" } },
  );
  assert.deepEqual(proxy.messages, []);
  const annotated = renderAnnotated(proxy);
  assertHidden([annotated], "print-config");
  assert.match(annotated, /\n {2}"tlsKeyPassword": "<redacted>",\n/);
  assert.match(annotated, /\n {2}"grpcServerPort": "<redacted>",\n/);
  assert.doesNotThrow(() =>
    JSON.parse(
      annotated
        .split("\n")
        .filter((l) => !l.startsWith("#"))
        .join("\n"),
    ),
  );
  const file = JSON.parse(renderConfFile(proxy)) as Record<string, unknown>;
  assert.equal(file.tlsKeyPassword, SECRET);
  assert.equal(file.innerClientAuthenticationCredentials, CREDENTIALS);
  assert.equal(file.grpcServerPort, 9081);
});

test("the JVM memory decision logged at start names JAVA_OPT_EXT without its options", () => {
  const m = sizeMemory("broker", 1024 ** 3, { RMQ_LOG_FORMAT: "text", JAVA_OPT_EXT: `-Dtls.server.keyPassword=${SECRET}` });
  assert.match(m.decision, /JAVA_OPT_EXT appended last/);
  assertHidden([m.decision], "the memory decision");
});

function consoleProblems(env: Record<string, string>, files: Record<string, string> = {}): string {
  try {
    consoleConfig({ NAMESRV_ADDR: "ns:9876", ...env }, (p) => files[p]);
  } catch (e) {
    assert.ok(e instanceof ConsoleConfigError);
    return e.message;
  }
  assert.fail("expected a ConsoleConfigError");
}

test("console: a misspelt CONSOLE_PASWORD is named with a suggestion, its value never shown", () => {
  const message = consoleProblems({ CONSOLE_PASWORD: SECRET });
  assert.match(message, /CONSOLE_PASWORD is not a console variable: .*did you mean CONSOLE_PASSWORD\?/);
  assertHidden([message], "the console's error");
});

test("console: password problems do not show the password", () => {
  const short = consoleProblems({ CONSOLE_PASSWORD: "S3cr3t", CONSOLE_PORT: "80a" });
  assert.match(short, /CONSOLE_PASSWORD has 6 characters: allowed: at least 8/);
  assert.match(short, /CONSOLE_PORT="80a"/, "other values are still shown");
  assert.ok(!short.includes("S3cr3t"), short);
  const both = consoleProblems({ CONSOLE_PASSWORD: SECRET, CONSOLE_PASSWORD_FILE: "/run/secrets/pw" }, { "/run/secrets/pw": SECRET });
  assert.match(both, /both set/);
  assertHidden([both], "the console's error");
  const fromFile = consoleProblems({ CONSOLE_PASSWORD_FILE: "/run/secrets/pw", CONSOLE_TYPO: SECRET }, { "/run/secrets/pw": "S3cr3t\n" });
  assert.match(fromFile, /CONSOLE_PASSWORD_FILE's password has 6 characters/);
  assert.ok(!fromFile.includes("S3cr3t"), fromFile);
});

/** The entrypoint end to end, in this process: its log and print-config output, captured. */
async function runEntrypoint(command: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  const { main } = await import("../../src/entrypoint/main.ts");
  const saved = { ...process.env };
  const write = process.stdout.write;
  let out = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    Object.assign(process.env, { RMQ_VERSION: "5.5.0", ...env });
    return { code: await main([command]), out };
  } finally {
    process.stdout.write = write;
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

test("entrypoint: validate logs every error without the secrets; print-config redacts them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "secrets-"));
  try {
    writeFileSync(join(dir, "inner"), `${CREDENTIALS} \n`);
    const bad = await runEntrypoint("validate", {
      RMQ_ROLE: "broker",
      NAMESRV_ADDR: "ns:9876",
      RMQ_BROKER_innerClientAuthenticationCredentials_FILE: join(dir, "inner"),
      RMQ_BROKER_initAuthenticationUser: `${SECRET} `,
      RMQ_BROKR_secretKey: SECRET,
    });
    assert.equal(bad.code, 2);
    assert.match(bad.out, /RMQ_BROKER_innerClientAuthenticationCredentials_FILE=<redacted> has leading or trailing whitespace/);
    assert.match(bad.out, /3 configuration error\(s\)/);
    assertHidden([bad.out], "the entrypoint's log");

    writeFileSync(join(dir, "inner"), `${CREDENTIALS}\n`);
    const good = await runEntrypoint("print-config", {
      RMQ_ROLE: "proxy",
      NAMESRV_ADDR: "ns:9876",
      RMQ_PROXY_innerClientAuthenticationCredentials_FILE: join(dir, "inner"),
      RMQ_PROXY_tlsKeyPassword: SECRET,
    });
    assert.equal(good.code, 0, good.out);
    assert.match(good.out, /"innerClientAuthenticationCredentials": "<redacted>"/);
    assertHidden([good.out], "print-config");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const mode = (path: string) => statSync(path).mode & 0o777;

test("generated files: 0600 in a 0700 directory, replaced atomically, real values kept", () => {
  const parent = mkdtempSync(join(tmpdir(), "runtime-"));
  try {
    const dir = join(parent, "rocketmq");
    assert.equal(makePrivateDir(dir), undefined);
    assert.equal(mode(dir), 0o700);
    const text = renderConfFile(resolveFor("broker", { ...GOOD_BROKER, RMQ_BROKER_innerClientAuthenticationCredentials: CREDENTIALS }));
    const path = join(dir, "broker.conf");
    writePrivateFile(path, text);
    assert.equal(mode(path), 0o600);
    assert.ok(readFileSync(path, "utf8").includes(CREDENTIALS), "RocketMQ needs the real value");

    // A leftover temporary file (a crash mid-write) is replaced, not reused with its mode.
    writeFileSync(`${path}.tmp`, "stale");
    chmodSync(`${path}.tmp`, 0o644);
    writePrivateFile(path, "second\n");
    assert.equal(readFileSync(path, "utf8"), "second\n");
    assert.equal(mode(path), 0o600);
    assert.deepEqual(readdirSync(dir), ["broker.conf"]);

    // Whatever the umask, never wider than 0600.
    const umask = process.umask(0);
    try {
      writePrivateFile(join(dir, "jvm.args"), '"-server"\n');
    } finally {
      process.umask(umask);
    }
    assert.equal(mode(join(dir, "jvm.args")), 0o600);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test("generated files: an existing directory is tightened to 0700; a link is refused", () => {
  const parent = mkdtempSync(join(tmpdir(), "runtime-"));
  try {
    const open = join(parent, "open");
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    assert.equal(makePrivateDir(open), undefined);
    assert.equal(mode(open), 0o700);

    const link = join(parent, "link");
    symlinkSync(open, link);
    assert.match(makePrivateDir(link) ?? "", /is not a directory \(a link\?\)/);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test("generated files: a directory owned by another uid is refused", { skip: process.getuid?.() !== 0 && "needs root to chown" }, () => {
  const parent = mkdtempSync(join(tmpdir(), "runtime-"));
  try {
    const theirs = join(parent, "theirs");
    mkdirSync(theirs);
    chownSync(theirs, 3000, 3000);
    assert.match(makePrivateDir(theirs) ?? "", /belongs to uid 3000, not to uid 0/);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test("a secret may start with '#', as generated passwords do: no inline-comment error for it", () => {
  const result = resolveFor("proxy", { ...GOOD_PROXY, RMQ_PROXY_tlsKeyPassword: `#${SECRET}` });
  assert.deepEqual(result.messages, []);
  assert.equal(result.settings.get("tlsKeyPassword")?.value, `#${SECRET}`);
});
