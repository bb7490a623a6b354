// The console of a compose mode, as a user meets it: http://localhost:8082 (here on the tests' PUBLISH_ADDR), the
// generated password from the container's log, then the JSON API the UI uses.
import assert from "node:assert/strict";
import { eventually, onHost, type ComposeProject } from "./harness.ts";

export const CONSOLE_URL = `http://${onHost(8082)}`;

export interface ConsoleSession {
  cookie: string;
  csrfToken: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<{ status: number; body: T }>;
  /** DELETE; the status code. */
  delete(path: string): Promise<number>;
}

/** The password the console generated and printed once (no CONSOLE_PASSWORD in the test's environment). */
export async function generatedPassword(cluster: { project: ComposeProject }): Promise<string> {
  return eventually(async () => {
    const logs = await cluster.project.ok("logs", "--no-color", "console");
    const m = /generated password for user admin: (\S+) \(shown once\)/.exec(logs);
    assert.ok(m, `no generated password in the console's log:\n${logs}`);
    return m[1]!;
  }, 30_000);
}

export async function consoleLogin(password: string, url = CONSOLE_URL): Promise<ConsoleSession> {
  const r = await fetch(`${url}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: "admin", password }),
  });
  assert.equal(r.status, 200, await r.clone().text());
  const cookie = (r.headers.get("set-cookie") ?? "").split(";")[0]!;
  const { csrfToken } = (await r.json()) as { csrfToken: string };
  return {
    cookie,
    csrfToken,
    async get<T>(path: string): Promise<T> {
      const g = await fetch(`${url}${path}`, { headers: { cookie } });
      assert.equal(g.status, 200, `${path}: ${await g.clone().text()}`);
      return (await g.json()) as T;
    },
    async post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
      const p = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { cookie, "x-csrf-token": csrfToken, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: p.status, body: (await p.json()) as T };
    },
    async delete(path: string): Promise<number> {
      const d = await fetch(`${url}${path}`, { method: "DELETE", headers: { cookie, "x-csrf-token": csrfToken } });
      await d.arrayBuffer();
      return d.status;
    },
  };
}

export interface HaGroupView {
  brokerName: string;
  mode: string;
  replicating: boolean;
  members: { brokerId: number; role: string; lagBytes: number | null; inSync: boolean | null }[];
  dledger?: { leaderId: string | null; term: number | null };
  controller?: { syncStateSet: number[] };
}

/** Waits until the HA view shows every group replicating; returns the groups. */
export async function haReplicating(session: ConsoleSession, timeoutMs = 60_000): Promise<HaGroupView[]> {
  return eventually(
    async () => {
      const { groups } = await session.get<{ groups: HaGroupView[] }>("/api/ha");
      assert.ok(groups.length > 0 && groups.every((g) => g.replicating), JSON.stringify(groups));
      return groups;
    },
    timeoutMs,
    2000,
  );
}
