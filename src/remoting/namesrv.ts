// Name-server failover, as RocketMQ's clients do it: ask each name server in turn until one answers.

export class NoNamesrvAnsweredError extends Error {
  readonly failures: string[];
  constructor(failures: string[]) {
    super(`no name server answered: ${failures.join("; ") || "none given"}`);
    this.name = "NoNamesrvAnsweredError";
    this.failures = failures;
  }
}

/**
 * A broker's refusal or silence, met through a name server's listing: every name server lists the same broker, so
 * asking the next one would only repeat it under the name servers' name. fromAnyNamesrv passes it on at once.
 */
export class BrokerRequestError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokerRequestError";
  }
}

/** `read` from the first name server that answers; its address comes back with the value. */
export async function fromAnyNamesrv<T>(
  namesrvs: readonly string[],
  read: (namesrv: string) => Promise<T>,
): Promise<{ namesrv: string; value: T }> {
  const failures: string[] = [];
  for (const namesrv of namesrvs) {
    try {
      return { namesrv, value: await read(namesrv) };
    } catch (e) {
      if (e instanceof BrokerRequestError) throw e;
      failures.push((e as Error).message);
    }
  }
  throw new NoNamesrvAnsweredError(failures);
}
