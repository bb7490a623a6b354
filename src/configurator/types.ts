// What the configurator's steps hand each other: settings with where they came from, and the problems found.
// Its own module so that resolve.ts and semantics.ts (and the console, through env.ts) share them without
// importing each other.

export type Source = { kind: "appliance"; why: string } | { kind: "file"; path: string; line: number } | { kind: "env"; variable: string };

export interface Setting {
  key: string;
  value: string;
  source: Source;
  /** A secret key's value, or one read from a `*_FILE`: written to the config file, shown nowhere else. */
  secret: boolean;
}

export interface ConfigError {
  /** What to fix: a variable (`BROKER_ROLE`), a file position (`/etc/rocketmq/broker.conf:12`) or several. */
  subject: string;
  /** The offending value; never set for a secret, so that no caller can print it by mistake. */
  value?: string;
  /** The value is a secret: shown as REDACTED. */
  redacted?: true;
  problem: string;
  allowed?: string;
}
