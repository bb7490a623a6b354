// The image's HEALTHCHECK: the console answers /healthz on its port within 2 s (over HTTPS when it serves HTTPS;
// its own certificate is not checked here, the address is the container's own).
import { request } from "node:https";

const port = process.env.CONSOLE_PORT || "8082";
const https = Boolean(process.env.CONSOLE_TLS_CERT_FILE);
try {
  const status = https
    ? await new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: "/healthz", rejectUnauthorized: false, timeout: 2000 }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("timeout", () => req.destroy(new Error("no answer within 2 s")));
        req.on("error", reject);
        req.end();
      })
    : (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) })).status;
  process.exit(status >= 200 && status < 300 ? 0 : 1);
} catch (e) {
  process.stderr.write(`console on port ${port}: ${(e as Error).message}\n`);
  process.exit(1);
}
