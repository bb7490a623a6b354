// compose/secure/<mode>.yml are generated from the compose files' services (`npm run overlays`): none is missed
// when a mode gains a service, and none is edited by hand.
import assert from "node:assert/strict";
import { test } from "node:test";
import { outdatedOverlays, renderOverlay } from "../../scripts/secure-overlays.ts";

test("every compose/secure overlay is what `npm run overlays` writes from its compose file", () => {
  assert.deepEqual(outdatedOverlays(), []);
});

test("an overlay gives name servers TLS, brokers TLS and auth, the console HTTPS, and refuses a service it does not know", () => {
  const text = renderOverlay("x.yml", ["namesrv-1", "broker-a", "console", "bootstrap"]);
  assert.match(text, /  namesrv-1:\n    environment:\n      TLS_MODE: enforcing\n/);
  assert.match(text, /  broker-a:\n(.*\n)*?      AUTH_ADMIN_PASSWORD: \$\{AUTH_ADMIN_PASSWORD:\?/);
  assert.match(text, /CONSOLE_TLS_CERT_FILE: \/etc\/rocketmq\/tls\/server\.pem/);
  assert.throws(() => renderOverlay("x.yml", ["grafana"]), /no TLS settings for a service named grafana/);
});
