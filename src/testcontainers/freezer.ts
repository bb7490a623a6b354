// Docker's pause, tried again while the cgroup v1 freezer gives up. A task in uninterruptible sleep (heavy I/O), or a
// process entering the container (a health check's exec), can keep the freezer from finishing; runc then thaws the
// container again and answers "unable to freeze", and the container runs on as before. A second later the pause
// usually succeeds.

const ATTEMPTS = 5;
const DELAY_MS = 1000;

/** Calls `pauseOnce` until it succeeds, again only after an "unable to freeze" failure, at most five times. */
export async function pauseRetryingFreezer(pauseOnce: () => Promise<unknown>, delayMs = DELAY_MS): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await pauseOnce();
      return;
    } catch (e) {
      if (attempt === ATTEMPTS || !/unable to freeze/.test((e as Error).message)) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}
