// The image's HEALTHCHECK: the console answers /healthz on its port within 2 s.
const port = process.env.CONSOLE_PORT || "8082";
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
  process.exit(response.ok ? 0 : 1);
} catch (e) {
  process.stderr.write(`console on port ${port}: ${(e as Error).message}\n`);
  process.exit(1);
}
