// The image's HEALTHCHECK: the console answers /healthz on its port within 2 s (over HTTPS when it serves HTTPS;
// its own certificate is not checked here, the address is the container's own). Bundled as CommonJS with Node's own
// http client: Docker starts it every 5 s, and without the ES module loader and fetch's library a check costs a third
// less CPU (bench/health.ts: 87.5 ms against 133.3 ms in the container, Docker's exec included).
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

const port = process.env.CONSOLE_PORT || "8082";
const https = Boolean(process.env.CONSOLE_TLS_CERT_FILE);

function fail(message: string): never {
  process.stderr.write(`console on port ${port}: ${message}\n`);
  process.exit(1);
}

const request = https ? httpsRequest : httpRequest;
const req = request({ host: "127.0.0.1", port, path: "/healthz", rejectUnauthorized: false, timeout: 2000 }, (res) => {
  res.resume();
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) process.exit(0);
  fail(`/healthz answered ${status}`);
});
req.on("timeout", () => req.destroy(new Error("no answer within 2 s")));
req.on("error", (e) => fail(e.message));
req.end();
