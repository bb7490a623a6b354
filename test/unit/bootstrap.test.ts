// The bootstrap file: parsed and validated without a cluster; every problem with its line, no password shown.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { bootstrapCommand } from "../../src/bootstrap/command.ts";
import { formatProblem, parseBootstrap, type ParseContext } from "../../src/bootstrap/spec.ts";
import { createLogger } from "../../src/entrypoint/log.ts";

const files: Record<string, string> = { "/run/secrets/bob": "B0b-secret-pw\n", "/run/secrets/short": "abc\n" };
const context: ParseContext = { readFile: (p) => files[p], adminUser: "admin" };

const GOOD = `# users first: their policies name the topics below
users:
  - username: alice
    password: Al1ce-secret-pw
    policies:
      - resource: Topic:orders
        actions: [Pub, sub]
      - resource: Group:billing*
        actions: [Sub]
        decision: deny
        sourceIps: [10.0.0.0/8, "::1"]
  - username: bob
    passwordFile: /run/secrets/bob
    type: super
    status: disable
topics:
  - name: orders
    queues: 8
    type: fifo
  - name: audit
    perm: r
groups:
  - name: billing
    retryMaxTimes: 3
    orderly: true
  - name: reports
`;

test("a bootstrap file: users with policies, topics and groups, RocketMQ's spellings and the defaults", () => {
  const { spec, problems } = parseBootstrap(GOOD, context);
  assert.deepEqual(problems, []);
  assert.deepEqual(spec, {
    users: [
      {
        username: "alice",
        password: "Al1ce-secret-pw",
        userType: "Normal",
        userStatus: "enable",
        policies: [
          { resource: "Topic:orders", actions: ["Pub", "Sub"], decision: "Allow", sourceIps: [] },
          { resource: "Group:billing*", actions: ["Sub"], decision: "Deny", sourceIps: ["10.0.0.0/8", "::1"] },
        ],
      },
      { username: "bob", password: "B0b-secret-pw", userType: "Super", userStatus: "disable", policies: [] },
    ],
    topics: [
      { name: "orders", queues: 8, messageType: "FIFO", perm: 6 },
      { name: "audit", queues: 4, messageType: "NORMAL", perm: 4 },
    ],
    groups: [{ name: "billing", retryMaxTimes: 3, orderly: true }, { name: "reports" }],
  });
});

test("the same file as JSON, and an empty file, are accepted", () => {
  const json = JSON.stringify({ topics: [{ name: "orders", queues: 2 }], groups: [{ name: "g1", broadcast: false }] });
  assert.deepEqual(parseBootstrap(json, context).spec, {
    users: [],
    topics: [{ name: "orders", queues: 2, messageType: "NORMAL", perm: 6 }],
    groups: [{ name: "g1", broadcast: false }],
  });
  assert.deepEqual(parseBootstrap("", context).spec, { users: [], topics: [], groups: [] });
  assert.deepEqual(parseBootstrap("# nothing yet\n", context).spec, { users: [], topics: [], groups: [] });
});

test("every problem at once, each with its line and column, and never a password", () => {
  const bad = `users:
  - username: admin
    password: Adm1n-secret-pw
  - username: carol
    password: short
    policies:
      - resource: Topic:orders
        actions: [Publish]
        sourceIps: [10.0.0.300]
  - username: carol
    password: C4rol-secret-pw
    passwordFile: /run/secrets/bob
  - username: dave
    passwordFile: /run/secrets/short
  - username: erin
    passwordFile: /run/secrets/missing
topics:
  - name: orders
    queues: 0
  - name: orders
    queue: 4
  - name: TBW102
  - name: "bad name"
    type: STREAM
groups:
  - name: billing
    orderly: yes
    retryMaxTimes: 2.5
  - retryMaxTimes: 1
`;
  const { spec, problems } = parseBootstrap(bad, context);
  assert.equal(spec, undefined);
  const lines = problems.map((p) => formatProblem("/bootstrap.yml", p));
  const expected = [
    /^\/bootstrap.yml:2:15: users\[0\]\.username: admin is the cluster's admin \(AUTH_ADMIN_USER\)/,
    /^\/bootstrap.yml:5:15: users\[1\]\.password: must be 8 to 128 printable ASCII characters .*\(the value is not shown\)/,
    /^\/bootstrap.yml:8:19: users\[1\]\.policies\[0\]\.actions\[0\]: must be one of All, Pub, Sub/,
    /^\/bootstrap.yml:9:21: users\[1\]\.policies\[0\]\.sourceIps\[0\]: must be an IP address or a CIDR block/,
    /^\/bootstrap.yml:10:5: users\[2\]\.username: user carol is declared twice/,
    /^\/bootstrap.yml:10:5: users\[2\]: needs exactly one of password and passwordFile/,
    /^\/bootstrap.yml:14:19: users\[3\]\.passwordFile: \/run\/secrets\/short must hold 8 to 128/,
    /^\/bootstrap.yml:16:19: users\[4\]\.passwordFile: \/run\/secrets\/missing cannot be read/,
    /^\/bootstrap.yml:19:13: topics\[0\]\.queues: must be a whole number from 1 to 1024/,
    /^\/bootstrap.yml:20:5: topics\[1\]\.name: topic orders is declared twice/,
    /^\/bootstrap.yml:21:5: topics\[1\]\.queue: unknown key \(did you mean queues\?\); allowed: name, queues, type, perm/,
    /^\/bootstrap.yml:22:11: topics\[2\]\.name: TBW102 is a RocketMQ system topic name/,
    /^\/bootstrap.yml:23:11: topics\[3\]\.name: must be letters, digits/,
    /^\/bootstrap.yml:24:11: topics\[3\]\.type: must be one of NORMAL, FIFO, DELAY, TRANSACTION/,
    /^\/bootstrap.yml:27:14: groups\[0\]\.orderly: must be true or false/,
    /^\/bootstrap.yml:28:20: groups\[0\]\.retryMaxTimes: must be a whole number from -1 to 1000/,
    /^\/bootstrap.yml:29:5: groups\[1\]: name is required/,
  ];
  assert.equal(lines.length, expected.length, lines.join("\n"));
  expected.forEach((re, i) => assert.match(lines[i]!, re, lines.join("\n")));
  for (const secret of ["Adm1n-secret-pw", "short", "C4rol-secret-pw", "B0b-secret-pw", "abc"]) {
    assert.ok(!lines.some((l) => l.includes(`: ${secret}`) || l.includes(`"${secret}"`) || l.endsWith(secret)), secret);
  }
});

test("a YAML syntax error, a duplicate key and a wrong shape are reported at their line", () => {
  const syntax = parseBootstrap("topics:\n  - name: a\n   queues: 2\n", context);
  assert.equal(syntax.spec, undefined);
  assert.equal(syntax.problems[0]!.line, 3);
  const dup = parseBootstrap("topics:\n  - name: a\n    name: b\n", context);
  assert.equal(dup.problems[0]!.line, 3);
  assert.equal(dup.problems[0]!.message, "not valid YAML (duplicate key)");
  const shape = parseBootstrap("topics: orders\nusers: [1]\n", context);
  assert.deepEqual(
    shape.problems.map((p) => `${p.line} ${p.path}: ${p.message}`),
    ["1 topics: must be a list", "2 users[0]: must be a mapping (key: value)"],
  );
  assert.match(parseBootstrap("[1, 2]", context).problems[0]!.message, /mapping/);
  assert.match(parseBootstrap("tpoics: []", context).problems[0]!.message, /did you mean topics/);
});

test("the parser always returns, within a bound, whatever bytes it is given (fuzz)", () => {
  const parts = fc.constantFrom(
    "users:",
    "topics:",
    "groups:",
    "\n",
    "  - ",
    "name: ",
    "a",
    "queues: ",
    "9",
    "[",
    "]",
    "{",
    "}",
    ":",
    "&x ",
    "*x",
    "'",
    '"',
    "#",
    "\t",
    "policies:",
    "actions: [Pub]",
  );
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.array(parts, { maxLength: 80 }).map((a) => a.join("")),
      ),
      (text) => {
        const r = parseBootstrap(text, context);
        assert.ok(r.spec !== undefined || r.problems.length > 0);
      },
    ),
    { seed: 20261203, numRuns: 1500 },
  );
  const big = parseBootstrap("#".repeat(1024 * 1024 + 1), context);
  assert.match(big.problems[0]!.message, /larger than/);
});

test("the bootstrap command reports every problem with its variables and file, applies nothing, and shows no secret", async () => {
  const run = async (env: Record<string, string>, version = "5.5.0") => {
    const lines: string[] = [];
    const log = createLogger("text", { write: (s: string) => lines.push(s) });
    const code = await bootstrapCommand({ env, readFile: (p) => files[p], version, log, intervalMs: 1 });
    return { code, out: lines.join("") };
  };
  const withUsers = "users:\n  - username: alice\n    password: Al1ce-secret-pw\ntopics:\n  - name: t1\n";

  let r = await run({ NAMESRV_ADDR: "127.0.0.1:1", BOOTSTRAP: withUsers }, "4.9.7");
  assert.equal(r.code, 2);
  assert.match(r.out, /BOOTSTRAP: users and policies need RocketMQ 5 \(ACL 2\.0\); this image runs RocketMQ 4\.9\.7/);
  assert.match(r.out, /BOOTSTRAP: users and policies are managed as the admin: set AUTH_ADMIN_PASSWORD/);
  assert.match(r.out, /2 problem\(s\); nothing was applied/);

  files["/run/bootstrap.yml"] = "topics:\n  - name: t1\n    queues: -1\n";
  r = await run({
    BOOTSTRAP_FILE: "/run/bootstrap.yml",
    NAMESRV_ADDR: "no-port",
    AUTH_ADMIN_PASSWORD: "short",
    BOOTSTRAP_WAIT_SECONDS: "9999",
  });
  assert.equal(r.code, 2);
  assert.match(r.out, /NAMESRV_ADDR="no-port" must match/);
  assert.match(r.out, /AUTH_ADMIN_PASSWORD=<redacted> /);
  assert.match(r.out, /BOOTSTRAP_WAIT_SECONDS="9999" must be <= 3600/);
  assert.doesNotMatch(r.out, /short/);

  files["/run/not-a-ca.pem"] = "hello";
  r = await run({ BOOTSTRAP: "topics: []", NAMESRV_ADDR: "127.0.0.1:1", TLS_MODE: "Enforcing", TLS_CA_FILE: "/run/not-a-ca.pem" });
  assert.match(r.out, /TLS_CA_FILE="\/run\/not-a-ca\.pem" holds no PEM certificate/);
  r = await run({ BOOTSTRAP: "topics: []", NAMESRV_ADDR: "127.0.0.1:1", TLS_MODE: "strict" });
  assert.match(r.out, /TLS_MODE="strict" must be equal to one of/);

  r = await run({ BOOTSTRAP: "topics: []", BOOTSTRAP_FILE: "/run/bootstrap.yml", NAMESRV_ADDR: "127.0.0.1:1" });
  assert.match(r.out, /BOOTSTRAP and BOOTSTRAP_FILE are both set/);

  r = await run({ BOOTSTRAP_FILE: "/run/bootstrap.yml", NAMESRV_ADDR: "127.0.0.1:1" });
  assert.match(r.out, /\/run\/bootstrap\.yml:3:13: topics\[0\]\.queues: must be a whole number from 1 to 1024/);

  // A good file waits for a master; none answers here, so nothing is applied and the exit code says so.
  r = await run({ BOOTSTRAP: "topics:\n  - name: t1\n", NAMESRV_ADDR: "127.0.0.1:1", BOOTSTRAP_WAIT_SECONDS: "0" });
  assert.equal(r.code, 1);
  assert.match(r.out, /no master broker after 0 s .*nothing was applied/);
});

test("the bootstrap examples in README.md and docs/security.md parse without a problem", () => {
  const examples = ["README.md", "docs/security.md"].flatMap((file) =>
    [...readFileSync(new URL(`../../${file}`, import.meta.url), "utf8").matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .filter((text) => /^(users|topics|groups):/m.test(text))
      .map((text) => ({ file, text })),
  );
  assert.equal(examples.length, 2);
  for (const { file, text } of examples) {
    const { spec, problems } = parseBootstrap(text, { readFile: () => "a-mounted-secret\n" });
    assert.deepEqual(problems, [], file);
    assert.ok(spec!.users.length && spec!.topics.length && spec!.groups.length, file);
  }
});

test("a YAML error or an unknown key never repeats a password from the file", () => {
  for (const text of [
    "users:\n  - username: a\n    password: |S3cret-pw1\n",
    "users:\n  - username: a\n    password: >S3cret-pw1\n",
    'users:\n  - username: a\n    password: "S3cret-pw1\\uZZZZ"\n',
    "users:\n  - {username: a, password:S3cret-pw1}\n",
  ]) {
    const { problems } = parseBootstrap(text, context);
    assert.ok(problems.length > 0, text);
    const shown = problems.map((p) => formatProblem("f", p)).join("\n");
    assert.doesNotMatch(shown, /S3cret/, shown);
  }
});
