// Login sessions: an opaque random token in an HttpOnly, SameSite=Strict cookie, and a per-session CSRF token
// that every state-changing request must echo in the x-csrf-token header.
import { randomBytes, timingSafeEqual, createHash } from "node:crypto";

export const SESSION_COOKIE = "rmq_console_session";
/** Live sessions kept at most; past it the oldest is dropped, so logins cannot grow memory without bound. */
export const MAX_SESSIONS = 10_000;

interface Session {
  user: string;
  csrfToken: string;
  expiresAt: number;
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.ttlMs = ttlMs;
    this.now = now;
  }

  create(user: string): { token: string; csrfToken: string } {
    this.sweep();
    // A Map iterates in insertion order: the first key is the oldest session.
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const token = randomBytes(32).toString("base64url");
    const csrfToken = randomBytes(24).toString("base64url");
    this.sessions.set(token, { user, csrfToken, expiresAt: this.now() + this.ttlMs });
    return { token, csrfToken };
  }

  get(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const s = this.sessions.get(token);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(token);
      return undefined;
    }
    return s;
  }

  delete(token: string | undefined): void {
    if (token) this.sessions.delete(token);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Drops expired sessions (at most once a minute, on login). */
  private lastSweep = 0;
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [token, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(token);
  }
}

/** Compares secrets in constant time (hashing first, so lengths do not leak either). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** A user and password against the expected ones, both compared always: the time taken does not tell which was wrong. */
export function sameCredentials(given: { user: string; password: string }, expected: { user: string; password: string }): boolean {
  const user = sameSecret(given.user, expected.user);
  const password = sameSecret(given.password, expected.password);
  return user && password;
}

/** A cookie's value; undefined when absent or not well-formed (a bad cookie is no session, not an error). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined || header.length > 8192) return undefined;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** "Basic base64(user:password)" → its parts. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined || header.length > 4096) return undefined;
  const m = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, "base64").toString("utf8");
  const i = text.indexOf(":");
  return i < 0 ? undefined : { user: text.slice(0, i), password: text.slice(i + 1) };
}
