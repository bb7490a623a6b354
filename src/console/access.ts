// Who may call what, decided on the route the router matched — never on the raw URL, which the router decodes
// (`%61pi`), normalises and accepts in absolute form before it picks a route. Every route is protected unless its
// config says `access: "public"`; a request that matches no route is refused like a protected one.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import rateLimit from "@fastify/rate-limit";

export type Access =
  /** Anyone: login, health, the API document, the UI's files (the page asks for a login itself). */
  | "public"
  /** A session; state-changing methods also need the session's CSRF token, a same-origin request, and a writable console. */
  | "session"
  /** A session or HTTP basic auth with the console's user and password (Prometheus scrapes this way). */
  | "session-or-basic";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Default "session": a route is protected unless it says otherwise. */
    access?: Access;
    /** A state-changing route that read-only mode still allows (logout). */
    allowedWhenReadOnly?: boolean;
  }
}

export const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

export interface AccessRequest {
  /** The matched route's access; undefined when no route matched. */
  access: Access | undefined;
  method: string;
  /** The request line's target as sent: origin form starts with "/". */
  target: string;
  hasSession: boolean;
  basicAuthOk: boolean;
  csrfTokenOk: boolean;
  /** False when an Origin or Sec-Fetch-Site header says another site sent it. */
  sameOrigin: boolean;
  readOnly: boolean;
  allowedWhenReadOnly: boolean;
}

export type AccessDecision = { allow: true } | { allow: false; status: 400 | 401 | 403; error: string; basicChallenge?: boolean };

/** Pure: the whole policy in one place, tested without a server. */
export function decideAccess(r: AccessRequest): AccessDecision {
  const writes = !SAFE_METHODS.has(r.method);
  if (r.access !== "public") {
    // Unmatched paths count as protected: the router's 404 is only for a logged-in user.
    const authenticated = r.hasSession || (r.access === "session-or-basic" && r.basicAuthOk);
    if (!authenticated && r.access === "session-or-basic")
      return {
        allow: false,
        status: 401,
        error: "log in first: HTTP basic auth with the console's user and password",
        basicChallenge: true,
      };
    if (!authenticated) return { allow: false, status: 401, error: "log in first: POST /api/login" };
  }
  // The console is no proxy: absolute-form (`GET http://x/api/...`) and asterisk targets are refused outright.
  if (!r.target.startsWith("/")) return { allow: false, status: 400, error: "only origin-form request targets (a path) are served" };
  // A login from another site's page would log the victim's browser into the attacker's session; refuse it too.
  if (writes && !r.sameOrigin) return { allow: false, status: 403, error: "cross-origin request refused" };
  if (r.access === "public" || r.access === undefined) return { allow: true };
  if (writes && r.hasSession && !r.csrfTokenOk)
    return { allow: false, status: 403, error: "missing or wrong x-csrf-token header (GET /api/session returns it)" };
  if (writes && r.readOnly && !r.allowedWhenReadOnly)
    return { allow: false, status: 403, error: "the console runs read-only (CONSOLE_READ_ONLY=true)" };
  return { allow: true };
}

/** False when the browser says another site sent the request: an Origin other than our own, or Sec-Fetch-Site cross-site. */
export function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

export interface LoginLimits {
  /** Failed attempts per client address within the window. */
  perClient: number;
  /** Failed attempts from all addresses together within the window: slows a distributed guesser too. */
  global: number;
  windowMs: number;
}

type Limit = ReturnType<FastifyInstance["createRateLimit"]>;

/**
 * Counts failed logins (and failed basic auth) per client address and in total; once either is over its limit
 * every attempt is answered 429 with `retry-after` until the window passes — the right password included, so a
 * guesser learns nothing from it. Successful attempts are not counted.
 */
export class LoginLimiter {
  private readonly limits: LoginLimits;
  private perClient: Limit | undefined;
  private global: Limit | undefined;

  constructor(limits: LoginLimits) {
    this.limits = limits;
  }

  /** Registers @fastify/rate-limit (for no route of its own) and makes the two counters once it is loaded. */
  install(app: FastifyInstance): void {
    const { perClient, global, windowMs } = this.limits;
    void app.register(rateLimit, { global: false, max: perClient, timeWindow: windowMs });
    void app.after(() => {
      this.perClient = app.createRateLimit({ max: perClient, timeWindow: windowMs });
      this.global = app.createRateLimit({ max: global, timeWindow: windowMs, keyGenerator: () => "all-clients" });
    });
  }

  /** Answers 429 and returns true when the caller must not try now. */
  async refused(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const [client, all] = await Promise.all([this.perClient!(request, { increment: false }), this.global!(request, { increment: false })]);
    let seconds = 0;
    // A peek reports `remaining` before this attempt: none left means the limit's failures are all spent.
    for (const s of [client, all]) if (!s.isAllowed && s.remaining <= 0) seconds = Math.max(seconds, s.ttlInSeconds, 1);
    if (seconds === 0) return false;
    request.log.warn("login attempts over the limit; refused with 429");
    await reply
      .code(429)
      .header("retry-after", String(seconds))
      .send({ error: `too many failed logins; try again in ${seconds} s` });
    return true;
  }

  async failed(request: FastifyRequest): Promise<void> {
    await Promise.all([this.perClient!(request), this.global!(request)]);
  }
}
