// HEALTHCHECK: healthy means a client can use this node now. A name server must answer a cluster-info
// request; a broker must answer a runtime-info request AND be listed by a name server at the address it
// advertises (what clients will dial), which also catches a stale or clashing registration.
import { readFileSync } from "node:fs";
import { parseProperties } from "../configurator/properties.ts";
import { parseFastjson } from "../remoting/fastjson.ts";
import { RequestCode, request } from "../remoting/client.ts";

interface ClusterInfo {
  brokerAddrTable?: Record<string, { brokerAddrs?: Record<string, string> }>;
}

export async function healthcheck(runtimeDir: string): Promise<number> {
  try {
    const message = await check(runtimeDir);
    process.stdout.write(`healthy: ${message}\n`);
    return 0;
  } catch (e) {
    process.stdout.write(`unhealthy: ${(e as Error).message}\n`);
    return 1;
  }
}

async function check(runtimeDir: string): Promise<string> {
  const role = process.env.RMQ_ROLE;
  const conf = new Map(parseProperties(readFileSync(`${runtimeDir}/${role}.conf`, "utf8")).map((p) => [p.key, p.value]));
  const port = conf.get("listenPort");
  if (role === "namesrv") {
    const r = await request(`127.0.0.1:${port}`, RequestCode.GET_BROKER_CLUSTER_INFO);
    if (r.code !== 0) throw new Error(`name server answered code ${r.code} ${r.remark ?? ""}`);
    return `name server answers on ${port}`;
  }
  const runtime = await request(`127.0.0.1:${port}`, RequestCode.GET_BROKER_RUNTIME_INFO);
  if (runtime.code !== 0) throw new Error(`broker answered code ${runtime.code} ${runtime.remark ?? ""}`);
  const advertised = `${conf.get("brokerIP1")}:${port}`;
  const brokerName = conf.get("brokerName") ?? "";
  const problems: string[] = [];
  for (const namesrv of (conf.get("namesrvAddr") ?? "").split(";").filter(Boolean)) {
    try {
      const r = await request(namesrv, RequestCode.GET_BROKER_CLUSTER_INFO);
      const info = parseFastjson(r.body.toString("utf8") || "{}") as ClusterInfo;
      const addrs = Object.values(info.brokerAddrTable?.[brokerName]?.brokerAddrs ?? {});
      if (addrs.includes(advertised)) return `broker ${brokerName} is registered at ${advertised} with ${namesrv}`;
      problems.push(`${namesrv} lists ${brokerName} at [${addrs.join(", ")}], not ${advertised}`);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  throw new Error(`broker answers but no name server lists it at ${advertised}: ${problems.join("; ")}`);
}
