// The console's UI: plain DOM, no build step, every figure from the JSON API (/openapi.json documents it).
// Text goes in through textContent only, so names and message bodies cannot inject markup.
let session = null;
const main = document.getElementById("main");

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

async function api(method, path, body) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && session) headers["x-csrf-token"] = session.csrfToken;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  if (r.status === 401 && path !== "/api/login") {
    session = null;
    showLogin();
    throw new Error("please log in");
  }
  const data = r.status === 204 ? null : await r.json();
  if (!r.ok) throw new Error(data?.error ?? `HTTP ${r.status}`);
  return data;
}

const fmt = {
  num: (n, digits = 1) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en", { maximumFractionDigits: digits })),
  pct: (r) => (r === null || r === undefined ? "–" : `${(r * 100).toFixed(1)} %`),
  bytes: (b) =>
    b === null || b === undefined
      ? "–"
      : b < 1024
        ? `${b} B`
        : b < 1048576
          ? `${(b / 1024).toFixed(1)} KiB`
          : `${(b / 1048576).toFixed(1)} MiB`,
  time: (t) =>
    t
      ? new Date(t)
          .toISOString()
          .replace("T", " ")
          .replace(/\.\d+Z$/, "Z")
      : "–",
};

function table(columns, rows, attrs = {}) {
  return h(
    "table",
    attrs,
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        // A numeric column's title sits over its right-aligned figures.
        columns.map((c) => h("th", { class: c.num ? "num" : "" }, c.title)),
      ),
    ),
    h(
      "tbody",
      {},
      rows.length
        ? rows.map((r) =>
            h(
              "tr",
              {},
              columns.map((c) => h("td", { class: c.num ? "num" : "" }, c.cell(r))),
            ),
          )
        : h("tr", {}, h("td", { colspan: columns.length, class: "muted" }, "none")),
    ),
  );
}

function errorBox(e) {
  return h("div", { class: "error", role: "alert" }, e instanceof Error ? e.message : String(e));
}

function page(title, ...content) {
  main.replaceChildren(h("h1", {}, title), ...content.filter((c) => c !== null && c !== undefined));
}

function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

/** A form whose submit runs `action`; the result (or the error) is shown under it. */
function actionForm(attrs, fields, buttonText, action, { danger = false } = {}) {
  const out = h("div", {});
  const { readonlyOk, ...formAttrs } = attrs;
  const form = h(
    "form",
    formAttrs,
    ...fields,
    h("button", { type: "submit", class: danger ? "danger" : "", disabled: session?.readOnly && !readonlyOk }, buttonText),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    out.replaceChildren(h("p", { class: "muted" }, "…"));
    try {
      const result = await action(formValues(form));
      out.replaceChildren(result instanceof Node ? result : h("div", { class: "notice", role: "status" }, result ?? "done"));
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  });
  return h("div", {}, form, out);
}

const field = (label, name, attrs = {}) => h("label", {}, label, h("input", { name, ...attrs }));

// --- charts: the console's history (/api/history*) drawn with uPlot, loaded when a chart is first shown -------

const COLORS = ["#2f6fdf", "#e07b00", "#1e8e3e", "#c0392b", "#8e44ad", "#00838f", "#6d4c41", "#d81b60", "#546e7a", "#9e9d24"];
let uPlotLoaded = null;
const maxOf = (chart) => Math.max(0, ...chart.series.flatMap((s) => s.values.filter((v) => v !== null)));
const lastOf = (chart) => chart.series[0]?.values.filter((v) => v !== null).at(-1) ?? "";

/** A line per series over time. */
async function lineChart(id, title, chart, { format = (v) => fmt.num(v), height = 170 } = {}) {
  // data-max (the largest value drawn) and data-last (the first series' newest) are what the browser test reads.
  const box = h(
    "figure",
    { class: "chart", id, "data-max": maxOf(chart), "data-last": lastOf(chart), "data-series": chart.series.map((s) => s.name).join(",") },
    h("figcaption", {}, title),
  );
  if (chart.times.length < 2 || !chart.series.length) {
    box.append(h("p", { class: "muted" }, chart.times.length < 2 ? "collecting samples…" : "none"));
    return box;
  }
  try {
    uPlotLoaded ??= import("/ui/uPlot.esm.js").then((m) => m.default);
    const UPlot = await uPlotLoaded;
    const show = (_u, v) => (v === null || v === undefined ? "–" : format(v));
    const options = {
      width: Math.max(320, Math.min(main.clientWidth - 40, 1100)),
      height,
      scales: { x: { time: true } },
      series: [
        {},
        ...chart.series.map((s, i) => ({ label: s.name, stroke: COLORS[i % COLORS.length], width: 1.5, value: show, spanGaps: false })),
      ],
      axes: [{}, { size: 60, values: (_u, ticks) => ticks.map((v) => format(v)) }],
    };
    new UPlot(options, [chart.times.map((t) => t / 1000), ...chart.series.map((s) => s.values)], box);
  } catch (e) {
    box.append(errorBox(`chart library: ${e.message}`));
  }
  return box;
}

/** A small line (inline SVG) of one series, for a list's cell. */
function sparkline(values) {
  const known = values.filter((v) => v !== null);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "spark");
  svg.setAttribute("viewBox", "0 0 100 20");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("data-max", String(Math.max(0, ...known)));
  if (known.length < 2) return svg;
  const top = Math.max(...known) || 1;
  const step = 100 / Math.max(1, values.length - 1);
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute(
    "points",
    values.flatMap((v, i) => (v === null ? [] : [`${(i * step).toFixed(1)},${(19 - (v / top) * 18).toFixed(1)}`])).join(" "),
  );
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", COLORS[0]);
  line.setAttribute("stroke-width", "1.5");
  line.setAttribute("vector-effect", "non-scaling-stroke");
  svg.append(line);
  return svg;
}

/** Fills each row's sparkline cell (`data-spark` = name) once the page's names' history is read. */
async function fillSparklines(kind, tableEl, names) {
  if (!names.length) return;
  try {
    const chart = await api("GET", `/api/history/sparklines?${new URLSearchParams({ kind, names: names.join(","), minutes: 60 })}`);
    chart.series.forEach((s) => tableEl.querySelector(`[data-spark="${CSS.escape(s.name)}"]`)?.replaceChildren(sparkline(s.values)));
  } catch {
    // The lists work without their lines.
  }
}

/** A chart's place on a page, filled once its history is read. */
function chartSlot(path, id, title, options) {
  const slot = h("div", {}, h("p", { class: "muted" }, "…"));
  void api("GET", path)
    .then((c) => lineChart(id, title, c, options))
    .then(
      (el) => slot.replaceChildren(el),
      (e) => slot.replaceChildren(errorBox(e)),
    );
  return slot;
}

const WINDOWS = [
  ["5 min", 5],
  ["1 hour", 60],
  ["1 day", 1440],
];

// --- pages -------------------------------------------------------------------------------------------------

async function clusterPage() {
  const { namesrv, brokers } = await api("GET", "/api/cluster");
  const masters = brokers.filter((b) => b.role === "master").length;
  page(
    "Cluster",
    h("p", { class: "muted" }, `Name server ${namesrv} · ${masters} master(s), ${brokers.length - masters} slave(s)`),
    table(
      [
        { title: "Cluster", cell: (b) => b.cluster },
        { title: "Broker", cell: (b) => b.brokerName },
        { title: "Id", cell: (b) => b.brokerId, num: true },
        { title: "Role", cell: (b) => h("span", { class: "role", "data-role": b.role }, b.role) },
        { title: "Address", cell: (b) => b.address },
        { title: "Version", cell: (b) => b.version ?? h("span", { class: "bad" }, "no answer") },
        { title: "TPS in", cell: (b) => fmt.num(b.tpsIn), num: true },
        { title: "TPS out", cell: (b) => fmt.num(b.tpsOut), num: true },
        { title: "Disk used", cell: (b) => fmt.pct(b.diskUsedRatio), num: true },
        {
          title: "",
          cell: (b) =>
            b.error
              ? h("span", { class: "bad" }, b.error)
              : [
                  ...(b.warnings ?? []).map((w) => h("div", { class: "bad warning" }, w)),
                  h("a", { href: `#/broker/${encodeURIComponent(b.address)}` }, "details"),
                ],
        },
      ],
      brokers,
      { id: "brokers" },
    ),
    h("h2", {}, "Over time"),
    clusterCharts(),
  );
}

/** The cluster's history: brokers' TPS and disk, the busiest topics and the most lagging groups. */
function clusterCharts() {
  const minutes = Number(new URLSearchParams(location.hash.split("?")[1] ?? "").get("minutes") ?? 60);
  const out = h("div", { id: "history" }, h("p", { class: "muted" }, "…"));
  const choose = h(
    "div",
    { class: "pager", id: "history-window" },
    WINDOWS.map(([label, m]) =>
      m === minutes ? h("strong", {}, label) : h("a", { href: `#/cluster?${new URLSearchParams({ minutes: m })}` }, label),
    ),
  );
  void (async () => {
    try {
      const c = await api("GET", `/api/history?${new URLSearchParams({ minutes })}`);
      const pct = (v) => `${(v * 100).toFixed(1)} %`;
      out.replaceChildren(
        ...(await Promise.all([
          lineChart("chart-tps-in", "Messages in per second, per broker", c.tpsIn),
          lineChart("chart-tps-out", "Messages out per second, per broker", c.tpsOut),
          lineChart("chart-disk", "Commit-log disk used, per broker", c.disk, { format: pct }),
          lineChart("chart-top-topics", "Busiest topics (messages in per second)", c.topTopics),
          lineChart("chart-top-groups", "Most lagging consumer groups (messages not yet consumed)", c.topGroups, {
            format: (v) => fmt.num(v, 0),
          }),
        ])),
        c.errors.length ? h("p", { class: "muted" }, `not sampled: ${c.errors.join("; ")}`) : "",
      );
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  })();
  return h("div", {}, choose, out);
}

async function brokerPage(address) {
  const [runtime, config] = await Promise.all([
    api("GET", `/api/brokers/${encodeURIComponent(address)}/runtime`),
    api("GET", `/api/brokers/${encodeURIComponent(address)}/config`),
  ]);
  const kv = (o) =>
    table(
      [
        { title: "Key", cell: ([k]) => k },
        { title: "Value", cell: ([, v]) => h("pre", {}, v) },
      ],
      Object.entries(o).sort(([a], [b]) => a.localeCompare(b)),
    );
  page(`Broker ${address}`, h("h2", {}, "Runtime"), kv(runtime), h("h2", {}, "Configuration"), kv(config));
}

async function haPage() {
  const { groups } = await api("GET", "/api/ha");
  page(
    "High availability",
    ...groups.map((g) =>
      h(
        "div",
        { class: "card ha-group", "data-broker-name": g.brokerName, "data-replicating": String(g.replicating) },
        h(
          "h2",
          {},
          `${g.cluster} / ${g.brokerName} `,
          h("span", { class: g.replicating ? "ok" : "bad" }, g.replicating ? "replicating" : "not replicating"),
        ),
        h("p", { class: "muted" }, `mode ${g.mode}`, g.replication ? ` · ${g.replication}` : ""),
        g.dledger ? h("p", {}, `DLedger leader ${g.dledger.leaderId ?? "?"}, term ${g.dledger.term ?? "?"}`) : null,
        g.controller
          ? h(
              "p",
              {},
              `controller leader ${g.controller.leader ?? "?"} · master epoch ${g.controller.masterEpoch ?? "?"} · SyncStateSet {${g.controller.syncStateSet.join(", ")}} (epoch ${g.controller.syncStateSetEpoch ?? "?"})`,
            )
          : null,
        g.error ? errorBox(g.error) : null,
        table(
          [
            { title: "Id", cell: (m) => m.brokerId, num: true },
            { title: "Role", cell: (m) => m.role },
            { title: "Address", cell: (m) => m.address },
            { title: "Commit log max offset", cell: (m) => fmt.num(m.commitLogMaxOffset, 0), num: true },
            { title: "Behind master", cell: (m) => (m.brokerId === 0 ? "–" : fmt.bytes(m.lagBytes)), num: true },
            {
              title: "In sync",
              cell: (m) => (m.inSync === null ? "?" : h("span", { class: m.inSync ? "ok" : "bad" }, m.inSync ? "yes" : "no")),
            },
            { title: "", cell: (m) => (m.error ? h("span", { class: "bad" }, m.error) : "") },
          ],
          g.members,
        ),
      ),
    ),
  );
}

function pager(result, go) {
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  return h(
    "div",
    { class: "pager" },
    h("button", { type: "button", disabled: result.page <= 1, onclick: () => go(result.page - 1) }, "‹ previous"),
    h("span", {}, `page ${result.page} of ${pages} · ${result.total} in all`),
    h("button", { type: "button", disabled: result.page >= pages, onclick: () => go(result.page + 1) }, "next ›"),
  );
}

async function topicsPage(params) {
  const search = params.get("search") ?? "";
  const kind = params.get("kind") ?? "normal";
  const pageNo = Number(params.get("page") ?? 1);
  const result = await api("GET", `/api/topics?${new URLSearchParams({ search, kind, page: pageNo, pageSize: 50 })}`);
  const go = (p, s = search, k = kind) => (location.hash = `#/topics?${new URLSearchParams({ search: s, kind: k, page: p })}`);
  const searchForm = h(
    "form",
    { id: "topic-search" },
    field("Search", "search", { value: search, type: "search" }),
    h(
      "label",
      {},
      "Kind",
      h(
        "select",
        { name: "kind" },
        ["normal", "retry", "dlq", "system", "all"].map((k) => h("option", { value: k, selected: k === kind }, k)),
      ),
    ),
    h("button", { type: "submit" }, "Find"),
  );
  searchForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = formValues(searchForm);
    go(1, v.search, v.kind);
  });
  page(
    "Topics",
    searchForm,
    table(
      [
        { title: "Topic", cell: (t) => h("a", { href: `#/topic/${encodeURIComponent(t.name)}` }, t.name) },
        { title: "Kind", cell: (t) => t.kind },
        { title: "TPS, last hour", cell: (t) => (t.kind === "normal" ? h("span", { "data-spark": t.name }) : "") },
      ],
      result.items,
      { id: "topics" },
    ),
    pager(result, (p) => go(p)),
    h("h2", {}, "Create a topic"),
    actionForm(
      { id: "create-topic" },
      [
        field("Name", "name", { required: true, pattern: "[%\\|a-zA-Z0-9_\\-]{1,127}" }),
        field("Queues per broker", "queues", { type: "number", min: 1, max: 1024, value: 8 }),
      ],
      "Create on every master",
      async (v) => {
        await api("POST", "/api/topics", { name: v.name, queues: Number(v.queues) });
        return h(
          "div",
          { class: "notice", role: "status" },
          `topic ${v.name} created · `,
          h("a", { href: `#/topic/${encodeURIComponent(v.name)}` }, "open"),
        );
      },
    ),
  );
  void fillSparklines(
    "topics",
    document.getElementById("topics"),
    result.items.filter((t) => t.kind === "normal").map((t) => t.name),
  );
}

async function topicPage(name) {
  const t = await api("GET", `/api/topics/${encodeURIComponent(name)}`);
  page(
    `Topic ${name}`,
    t.errors.length ? errorBox(t.errors.join("; ")) : null,
    chartSlot(
      `/api/history/topics/${encodeURIComponent(name)}?minutes=60`,
      "chart-topic",
      "Messages in per second, last hour (all masters)",
    ),
    h("h2", {}, "Route"),
    table(
      [
        { title: "Broker", cell: (b) => b.brokerName },
        { title: "Master", cell: (b) => b.master ?? "–" },
        { title: "Read queues", cell: (b) => b.readQueues, num: true },
        { title: "Write queues", cell: (b) => b.writeQueues, num: true },
        { title: "Perm", cell: (b) => b.perm, num: true },
      ],
      t.brokers,
    ),
    h("h2", {}, "Queues"),
    table(
      [
        { title: "Broker", cell: (q) => q.brokerName },
        { title: "Queue", cell: (q) => q.queueId, num: true },
        { title: "Min offset", cell: (q) => q.minOffset, num: true },
        { title: "Max offset", cell: (q) => q.maxOffset, num: true },
        { title: "Last write", cell: (q) => fmt.time(q.lastUpdateTimestamp) },
      ],
      t.queues,
      { id: "queues" },
    ),
    h("h2", {}, "Messages by time"),
    browseByTime(name),
    h("h2", {}, "Update"),
    actionForm(
      { id: "update-topic" },
      [
        field("Queues per broker", "queues", {
          type: "number",
          min: 1,
          max: 1024,
          required: true,
          value: Math.max(1, ...t.brokers.map((b) => b.writeQueues ?? 1)),
        }),
        h(
          "label",
          {},
          "Permission",
          h(
            "select",
            { name: "perm" },
            ...[
              [6, "read and write"],
              [4, "read only"],
              [2, "write only"],
            ].map(([value, text]) => h("option", { value, selected: t.brokers.every((b) => b.perm === value) }, text)),
          ),
        ),
      ],
      "Update on every master",
      async (v) => {
        await api("POST", "/api/topics", { name, queues: Number(v.queues), perm: Number(v.perm) });
        return h("div", { class: "notice", role: "status", id: "updated" }, `updated: ${v.queues} queue(s) per master, perm ${v.perm}`);
      },
    ),
    h("h2", {}, "Send a test message"),
    actionForm(
      { id: "send-message" },
      [
        field("Body", "body", { required: true, value: "hello from the console" }),
        field("Tags", "tags"),
        field("Keys (space-separated)", "keys"),
      ],
      "Send",
      async (v) => {
        const r = await api("POST", `/api/topics/${encodeURIComponent(name)}/messages`, v);
        return h(
          "div",
          { class: "notice", role: "status", id: "sent" },
          `sent: msgId ${r.msgId} · ${r.brokerName} queue ${r.queueId} offset ${r.queueOffset}`,
        );
      },
    ),
    h("h2", {}, "Producers"),
    actionForm({ id: "producers", readonlyOk: true }, [field("Producer group", "group", { required: true })], "Show", async (v) => {
      const r = await api("GET", `/api/producers?${new URLSearchParams({ group: v.group, topic: name })}`);
      return table(
        [
          { title: "Client", cell: (c) => c.clientId },
          { title: "Address", cell: (c) => c.clientAddr },
          { title: "Broker", cell: (c) => c.brokerName },
          { title: "Language", cell: (c) => c.language },
          { title: "Version", cell: (c) => c.version },
        ],
        r.connections,
        { id: "producer-connections" },
      );
    }),
    h("h2", {}, "Delete"),
    actionForm(
      { id: "delete-topic" },
      [],
      `Delete ${name} everywhere`,
      async () => {
        if (!confirm(`Delete topic ${name} from every broker and name server?`)) return "cancelled";
        await api("DELETE", `/api/topics/${encodeURIComponent(name)}`);
        return `topic ${name} deleted`;
      },
      { danger: true },
    ),
  );
}

async function groupsPage(params) {
  const search = params.get("search") ?? "";
  const pageNo = Number(params.get("page") ?? 1);
  const result = await api("GET", `/api/groups?${new URLSearchParams({ search, page: pageNo, pageSize: 50 })}`);
  const go = (p, s = search) => (location.hash = `#/groups?${new URLSearchParams({ search: s, page: p })}`);
  const searchForm = h(
    "form",
    { id: "group-search" },
    field("Search", "search", { value: search, type: "search" }),
    h("button", { type: "submit" }, "Find"),
  );
  searchForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    go(1, formValues(searchForm).search);
  });
  page(
    "Consumer groups",
    searchForm,
    table(
      [
        { title: "Group", cell: (g) => h("a", { href: `#/group/${encodeURIComponent(g.name)}` }, g.name) },
        { title: "Brokers", cell: (g) => g.brokers.join(", ") },
        { title: "Lag", cell: (g) => fmt.num(g.lag, 0), num: true },
        { title: "Consume TPS", cell: (g) => fmt.num(g.consumeTps), num: true },
        { title: "Lag, last hour", cell: (g) => h("span", { "data-spark": g.name }) },
        { title: "", cell: (g) => (g.error ? h("span", { class: "bad" }, g.error) : "") },
      ],
      result.items,
      { id: "groups" },
    ),
    pager(result, (p) => go(p)),
    h("h2", {}, "Create a consumer group"),
    groupSettingsForm("create-group", null, "Create on every broker", async (settings) => {
      await api("POST", "/api/groups", settings);
      return h(
        "div",
        { class: "notice", role: "status" },
        `consumer group ${settings.name} created · `,
        h("a", { href: `#/group/${encodeURIComponent(settings.name)}` }, "open"),
      );
    }),
  );
  void fillSparklines(
    "groups",
    document.getElementById("groups"),
    result.items.map((g) => g.name),
  );
}

/** The settings RocketMQ keeps per group; `current` (one master's copy) fills the form, or RocketMQ's defaults. */
function groupSettingsForm(id, current, buttonText, save) {
  const s = current?.settings ?? {};
  const box = (label, name, checked) => h("label", {}, label, h("input", { type: "checkbox", name, checked }));
  const fields = [
    current
      ? h("input", { type: "hidden", name: "name", value: current.name })
      : field("Name", "name", { required: true, pattern: "[%\\|a-zA-Z0-9_\\-]{1,255}" }),
    field("Retries before the dead-letter queue", "retryMaxTimes", {
      type: "number",
      min: 0,
      max: 64,
      required: true,
      value: s.retryMaxTimes ?? 16,
    }),
    field("Retry queues", "retryQueues", { type: "number", min: 0, max: 64, required: true, value: s.retryQueueNums ?? 1 }),
    box("Orderly", "orderly", s.consumeMessageOrderly ?? false),
    box("Consume enabled", "consumeEnable", s.consumeEnable ?? true),
    box("Broadcast allowed", "broadcast", s.consumeBroadcastEnable ?? true),
  ];
  return actionForm({ id }, fields, buttonText, (v) =>
    save({
      name: v.name,
      retryMaxTimes: Number(v.retryMaxTimes),
      retryQueues: Number(v.retryQueues),
      // An unchecked box is absent from the form's values.
      orderly: v.orderly === "on",
      consumeEnable: v.consumeEnable === "on",
      broadcast: v.broadcast === "on",
    }),
  );
}

async function groupPage(name) {
  const g = await api("GET", `/api/groups/${encodeURIComponent(name)}`);
  const topics = [...new Set(g.queues.map((q) => q.topic))];
  page(
    `Consumer group ${name}`,
    h(
      "p",
      {},
      "Total lag ",
      h("strong", { id: "group-lag" }, fmt.num(g.lag, 0)),
      ` · consume TPS ${fmt.num(g.consumeTps)}`,
      g.consumeType ? ` · ${g.consumeType}, ${g.messageModel}` : "",
    ),
    g.errors.length ? errorBox(g.errors.join("; ")) : null,
    chartSlot(`/api/history/groups/${encodeURIComponent(name)}?minutes=60`, "chart-group", "Lag and consume TPS, last hour"),
    h("h2", {}, "Queues"),
    table(
      [
        { title: "Topic", cell: (q) => q.topic },
        { title: "Broker", cell: (q) => q.brokerName },
        { title: "Queue", cell: (q) => q.queueId, num: true },
        { title: "Broker offset", cell: (q) => q.brokerOffset, num: true },
        { title: "Consumer offset", cell: (q) => q.consumerOffset, num: true },
        { title: "Lag", cell: (q) => q.lag, num: true },
        { title: "Last consumed", cell: (q) => fmt.time(q.lastTimestamp) },
      ],
      g.queues,
      { id: "group-queues" },
    ),
    h("h2", {}, "Connections"),
    table(
      [
        { title: "Client", cell: (c) => c.clientId },
        { title: "Address", cell: (c) => c.clientAddr },
        { title: "Language", cell: (c) => c.language },
        { title: "Version", cell: (c) => c.version },
        { title: "Connected through", cell: (c) => c.via ?? "" },
      ],
      g.connections,
      { id: "connections" },
    ),
    h("h2", {}, "Settings"),
    table(
      [
        { title: "Broker", cell: (b) => b.brokerName },
        { title: "Retries", cell: (b) => b.settings?.retryMaxTimes ?? "–", num: true },
        { title: "Retry queues", cell: (b) => b.settings?.retryQueueNums ?? "–", num: true },
        { title: "Orderly", cell: (b) => yesNo(b.settings?.consumeMessageOrderly) },
        { title: "Consume enabled", cell: (b) => yesNo(b.settings?.consumeEnable) },
        { title: "Broadcast allowed", cell: (b) => yesNo(b.settings?.consumeBroadcastEnable) },
        {
          title: "",
          cell: (b) =>
            b.error ? h("span", { class: "bad" }, b.error) : b.settings ? "" : h("span", { class: "muted" }, "not on this broker"),
        },
      ],
      g.settings,
      { id: "group-settings" },
    ),
    groupSettingsForm(
      "update-group",
      { name, settings: g.settings.find((b) => b.settings)?.settings },
      "Save on every broker",
      async (settings) => {
        await api("POST", "/api/groups", settings);
        return `settings of ${name} saved on every broker`;
      },
    ),
    h("h2", {}, "Reset offset"),
    actionForm(
      { id: "reset-offset" },
      [
        h(
          "label",
          {},
          "Topic",
          h(
            "select",
            { name: "topic" },
            topics.map((t) => h("option", { value: t }, t)),
          ),
        ),
        field("To the time (UTC)", "time", {
          type: "datetime-local",
          step: 1,
          required: true,
          value: new Date(Date.now() - 3600_000).toISOString().slice(0, 19),
        }),
      ],
      "Reset",
      async (v) => {
        const r = await api("POST", `/api/groups/${encodeURIComponent(name)}/reset-offset`, {
          topic: v.topic,
          timestamp: Date.parse(`${v.time}Z`),
        });
        return `offsets reset on ${r.queues.length} queue(s)`;
      },
    ),
    h("h2", {}, "Delete"),
    actionForm(
      { id: "delete-group" },
      [],
      `Delete ${name} everywhere`,
      async () => {
        if (!confirm(`Delete consumer group ${name} and its offsets from every broker?`)) return "cancelled";
        await api("DELETE", `/api/groups/${encodeURIComponent(name)}`);
        return `consumer group ${name} deleted`;
      },
      { danger: true },
    ),
  );
}

function yesNo(value) {
  return value === undefined || value === null ? "–" : value ? "yes" : "no";
}

/** A topic's messages stored between two times (UTC), newest first, with an "older" button that follows the cursor. */
function browseByTime(topic) {
  const utc = (ms) => new Date(ms).toISOString().slice(0, 19);
  const out = h("div", { id: "browse-results" });
  const form = h(
    "form",
    { id: "browse" },
    field("From (UTC)", "begin", { type: "datetime-local", step: 1, required: true, value: utc(Date.now() - 3600_000) }),
    field("To (UTC)", "end", { type: "datetime-local", step: 1, required: true, value: utc(Date.now() + 60_000) }),
    field("Containing", "text", { type: "search", maxlength: 255, placeholder: "tag, key, property or body text" }),
    field("Per page", "pageSize", { type: "number", min: 1, max: 100, value: 20 }),
    h("button", { type: "submit" }, "Browse"),
  );
  let latest = 0; // a slower, earlier answer must not replace a newer one
  const load = async (v, cursor, shown) => {
    const mine = ++latest;
    const query = {
      begin: Date.parse(`${v.begin}Z`),
      end: Date.parse(`${v.end}Z`) + 999,
      pageSize: v.pageSize,
      ...(v.text ? { text: v.text } : {}),
    };
    const r = await api(
      "GET",
      `/api/topics/${encodeURIComponent(topic)}/messages?${new URLSearchParams({ ...query, ...(cursor ? { cursor } : {}) })}`,
    );
    if (mine !== latest) return;
    const all = [...shown, ...r.messages];
    const older = (ev) => {
      ev.target.disabled = true;
      load(v, r.cursor, all).catch((e) => out.append(errorBox(e)));
    };
    const more = r.cursor
      ? h("button", { type: "button", id: "browse-older", onclick: older }, "Older")
      : h("span", { class: "muted" }, "the window's beginning");
    out.replaceChildren(
      h("p", { class: "muted" }, `${all.length} shown · about ${r.total} in the window`),
      messagesTable(all, { link: true, showTopic: false }),
      more,
    );
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    out.replaceChildren(h("p", { class: "muted" }, "…"));
    load(formValues(form), undefined, []).catch((e) => out.replaceChildren(errorBox(e)));
  });
  return h("div", {}, form, out);
}

function messagesTable(messages, { resendGroup, link = false, showTopic = true } = {}) {
  return table(
    [
      {
        title: "Message id",
        // The broker's offset id finds exactly this stored message (a producer id may have been sent twice).
        cell: (m) =>
          link ? h("a", { href: `#/messages?${new URLSearchParams({ topic: m.topic, id: m.offsetMsgId })}` }, m.msgId) : m.msgId,
      },
      ...(showTopic ? [{ title: "Topic", cell: (m) => m.topic }] : []),
      { title: "Keys", cell: (m) => (m.keys ?? []).join(" ") },
      { title: "Tags", cell: (m) => m.tags ?? "" },
      { title: "Stored", cell: (m) => fmt.time(m.storeTimestamp) },
      { title: "Queue", cell: (m) => `${m.brokerName ?? ""} ${m.queueId}@${m.queueOffset}` },
      { title: "Body", cell: (m) => h("pre", {}, m.body) },
      ...(resendGroup
        ? [
            {
              title: "",
              cell: (m) =>
                h(
                  "button",
                  {
                    type: "button",
                    disabled: session?.readOnly,
                    onclick: async (ev) => {
                      const b = ev.target;
                      try {
                        const r = await api("POST", `/api/dlq/${encodeURIComponent(resendGroup)}/resend`, { msgId: m.msgId });
                        b.replaceWith(h("span", { class: "ok" }, `resent as ${r.msgId}`));
                      } catch (e) {
                        b.replaceWith(errorBox(e));
                      }
                    },
                  },
                  "Resend to the group",
                ),
            },
          ]
        : []),
    ],
    messages,
    { id: "messages" },
  );
}

async function messagesPage(params) {
  const topic = params.get("topic") ?? "";
  const key = params.get("key") ?? "";
  const id = params.get("id") ?? "";
  const form = h(
    "form",
    { id: "message-search" },
    field("Topic", "topic", { value: topic, required: true }),
    field("Key", "key", { value: key }),
    field("or message id", "id", { value: id }),
    h("button", { type: "submit" }, "Find"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    location.hash = `#/messages?${new URLSearchParams(v.id ? { topic: v.topic, id: v.id } : { topic: v.topic, key: v.key })}`;
  });
  let results = null;
  if (topic && (key || id)) {
    try {
      const r = await api("GET", `/api/messages?${new URLSearchParams(id ? { topic, id } : { topic, key })}`);
      results = r.messages.length
        ? messagesTable(r.messages, { link: true })
        : h("p", { class: "muted", id: "messages" }, "no message found");
      if (id && r.messages.length === 1) results = h("div", {}, results, messageDetails(r.messages[0]), traceSection(r.messages[0].msgId));
    } catch (e) {
      results = errorBox(e);
    }
  }
  page(
    "Messages",
    h("p", { class: "muted" }, "Find messages by key (RocketMQ's index) or by id (the producer's message id or the broker's offset id)."),
    form,
    results,
  );
}

/** One message opened: its properties, its body as text, JSON or hex, downloaded, or sent again to one group. */
function messageDetails(m) {
  const bytes = Uint8Array.from(atob(m.bodyBase64 ?? ""), (c) => c.charCodeAt(0));
  const views = {
    text: () => new TextDecoder().decode(bytes),
    json: () => {
      try {
        return JSON.stringify(JSON.parse(new TextDecoder().decode(bytes)), null, 2);
      } catch (e) {
        return `not JSON: ${e.message}`;
      }
    },
    hex: () => {
      const lines = [];
      for (let i = 0; i < Math.min(bytes.length, 65536); i += 16) {
        const row = [...bytes.subarray(i, i + 16)];
        const hex = row.map((b) => b.toString(16).padStart(2, "0")).join(" ");
        const ascii = row.map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : ".")).join("");
        lines.push(`${i.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
      }
      return lines.join("\n") + (bytes.length > 65536 ? `\n… ${bytes.length - 65536} more bytes` : "");
    },
  };
  const body = h("pre", { id: "message-body", class: "body" }, views.text());
  const choose = h(
    "select",
    { id: "body-view", onchange: (ev) => body.replaceChildren(views[ev.target.value]()) },
    Object.keys(views).map((k) => h("option", { value: k }, k)),
  );
  const download = () => {
    const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
    const a = h("a", { href: url, download: `${m.msgId}.bin` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return h(
    "div",
    {},
    h("h2", {}, "Properties"),
    table(
      [
        { title: "Name", cell: ([k]) => k },
        { title: "Value", cell: ([, v]) => h("pre", {}, v) },
      ],
      Object.entries(m.properties ?? {}).sort(([a], [b]) => a.localeCompare(b)),
      { id: "message-properties" },
    ),
    h("h2", {}, `Body (${fmt.bytes(bytes.length)})`),
    h(
      "div",
      { class: "pager" },
      h("label", {}, "Show as", choose),
      h("button", { type: "button", id: "download-body", onclick: download }, "Download"),
    ),
    body,
    h("h2", {}, "Send again to one group"),
    actionForm(
      { id: "resend-message" },
      [field("Consumer group", "group", { required: true, pattern: "[%\\|a-zA-Z0-9_\\-]{1,255}" })],
      "Send a copy to this group alone",
      async (v) => {
        const r = await api("POST", `/api/topics/${encodeURIComponent(m.topic)}/messages/${encodeURIComponent(m.offsetMsgId)}/resend`, {
          group: v.group,
        });
        return h("div", { class: "notice", role: "status", id: "resent" }, `sent to ${r.topic} as ${r.msgId}`);
      },
    ),
  );
}

const TRACE_STEPS = { Pub: "sent", SubBefore: "delivered", SubAfter: "consumed", EndTransaction: "transaction ended" };

/** The message's trace: what its producer and each consumer reported, with tracing on (docs/console.md#trace). */
function traceSection(msgId) {
  const out = h("div", {}, h("p", { class: "muted" }, "…"));
  const outcome = (e) =>
    e.type === "SubAfter"
      ? `${e.success ? "ok" : "failed"}${e.result && e.result !== "success" ? ` (${e.result})` : ""}`
      : e.type === "Pub"
        ? `${e.success ? "stored" : "not stored"} on ${e.storeHost}`
        : e.type === "SubBefore"
          ? `attempt ${(e.retryTimes ?? 0) + 1}`
          : `${e.transactionState}${e.fromTransactionCheck ? " (on the broker's check)" : ""}`;
  void api("GET", `/api/trace/${encodeURIComponent(msgId)}`)
    .then((t) =>
      out.replaceChildren(
        t.events.length
          ? table(
              [
                // Milliseconds: a trace's steps are often within one second.
                { title: "Time", cell: (e) => (e.time ? new Date(e.time).toISOString().replace("T", " ") : "–") },
                { title: "Step", cell: (e) => TRACE_STEPS[e.type] ?? e.type },
                { title: "Group", cell: (e) => e.group ?? "–" },
                { title: "Client", cell: (e) => e.clientHost || e.reportedBy },
                { title: "Took (ms)", cell: (e) => fmt.num(e.costMs, 0), num: true },
                { title: "Outcome", cell: outcome },
              ],
              t.events,
              { id: "trace" },
            )
          : h(
              "p",
              { class: "muted", id: "trace" },
              `no trace in ${t.traceTopic}: tracing is off for this message's clients, or its events are on their way`,
            ),
      ),
    )
    .catch((e) => out.replaceChildren(errorBox(e)));
  return h("div", {}, h("h2", {}, "Trace"), out);
}

async function dlqPage(params) {
  const group = params.get("group") ?? "";
  const form = h(
    "form",
    { id: "dlq-search" },
    field("Consumer group", "group", { value: group, required: true }),
    h("button", { type: "submit" }, "Show dead letters"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    location.hash = `#/dlq?${new URLSearchParams({ group: formValues(form).group })}`;
  });
  let results = null;
  if (group) {
    try {
      const r = await api("GET", `/api/dlq/${encodeURIComponent(group)}`);
      results = h(
        "div",
        {},
        h("p", { class: "muted" }, `${r.total} message(s) in %DLQ%${group}; newest first`),
        messagesTable(r.messages, { resendGroup: group }),
      );
    } catch (e) {
      results = errorBox(e);
    }
  }
  const dlqTopics = await api("GET", "/api/topics?kind=dlq&pageSize=500").catch(() => ({ items: [] }));
  page(
    "Dead letters",
    form,
    dlqTopics.items.length
      ? h(
          "p",
          { class: "muted" },
          "Groups with dead letters: ",
          dlqTopics.items.map((t) => h("a", { href: `#/dlq?group=${encodeURIComponent(t.name.slice(5))}` }, `${t.name.slice(5)} `)),
        )
      : null,
    results,
  );
}

async function diagnosticsPage() {
  const d = await api("GET", "/api/diagnostics");
  page(
    "Addresses",
    h("p", { class: "muted" }, d.note),
    table(
      [
        { title: "Broker", cell: (r) => `${r.brokerName} (${r.brokerId})` },
        { title: "Port", cell: (r) => r.kind },
        { title: "Address", cell: (r) => r.address ?? "–" },
        {
          title: "From the console",
          cell: (r) =>
            h(
              "span",
              { class: r.reachable ? "ok" : r.severity === "warning" ? "muted" : "bad" },
              r.reachable ? `reachable (${r.connectMs} ms)` : `${r.error ?? "unreachable"}${r.severity === "warning" ? " (warning)" : ""}`,
            ),
        },
        { title: "Likely fix", cell: (r) => r.hint ?? "" },
        { title: "From other hosts", cell: (r) => h("span", { class: "muted" }, r.elsewhere ?? "") },
      ],
      d.rows,
      { id: "diagnostics" },
    ),
    d.problems.length
      ? h(
          "div",
          {},
          h("h2", {}, "Problems seen without dialing"),
          h(
            "ul",
            { class: "bad" },
            d.problems.map((p) => h("li", {}, p)),
          ),
        )
      : null,
  );
}

const ACTIONS = ["All", "Pub", "Sub", "Create", "Update", "Delete", "Get", "List"];
const listOf = (text) =>
  String(text ?? "")
    .split(/[\s,]+/)
    .filter(Boolean);
const select = (name, options, value) =>
  h(
    "select",
    { name },
    options.map((o) => h("option", { value: o, selected: o === value }, o)),
  );

async function usersPage() {
  const r = await api("GET", "/api/users");
  page(
    "Users",
    h(
      "p",
      { class: "muted" },
      `RocketMQ 5's ACL 2.0 users (AUTH_ENABLED), on ${r.brokers} broker(s): each broker keeps its own copy, and every change here goes to all of them.`,
    ),
    r.errors.length ? errorBox(r.errors.join("; ")) : null,
    table(
      [
        { title: "User", cell: (u) => h("a", { href: `#/user/${encodeURIComponent(u.username)}` }, u.username) },
        { title: "Type", cell: (u) => u.userType ?? "–" },
        { title: "Status", cell: (u) => u.userStatus ?? "–" },
        {
          title: "Brokers",
          cell: (u) => h("span", { class: u.brokers === r.brokers ? "" : "bad" }, `${u.brokers} of ${r.brokers}`),
          num: true,
        },
        { title: "Policies", cell: (u) => u.policies.map((p) => `${p.decision} ${p.actions.join("+")} on ${p.resource}`).join("; ") },
      ],
      r.users,
      { id: "users" },
    ),
    h("h2", {}, "Create a user"),
    actionForm(
      { id: "create-user" },
      [
        field("User", "username", { required: true, pattern: "[A-Za-z0-9_.@\\-]{1,64}", autocomplete: "off" }),
        field("Password", "password", { type: "password", required: true, minlength: 8, maxlength: 128, autocomplete: "new-password" }),
        h("label", {}, "Type", select("userType", ["Normal", "Super"], "Normal")),
      ],
      "Create",
      async (v) => {
        // PUT also updates: creating must not overwrite a user who exists.
        if (r.users.some((u) => u.username === v.username)) throw new Error(`user ${v.username} exists: change it on its own page`);
        await api("PUT", `/api/users/${encodeURIComponent(v.username)}`, { password: v.password, userType: v.userType });
        location.hash = `#/user/${encodeURIComponent(v.username)}`;
        return `user ${v.username} created`;
      },
    ),
  );
}

async function userPage(name) {
  const r = await api("GET", "/api/users");
  const user = r.users.find((u) => u.username === name);
  if (!user) return page(`User ${name}`, errorBox(`no broker holds user ${name}`), h("a", { href: "#/users" }, "to the users"));
  const save = (policies) => api("PUT", `/api/users/${encodeURIComponent(name)}/policies`, { policies });
  page(
    `User ${name}`,
    h("p", { class: "muted" }, `${user.userType ?? "–"}, ${user.userStatus ?? "–"}, on ${user.brokers} of ${r.brokers} broker(s)`),
    h("h2", {}, "Policies"),
    h("p", { class: "muted" }, "No matching entry means deny; the most specific resource wins (a name beats a prefix*, which beats *)."),
    table(
      [
        { title: "Resource", cell: (p) => p.resource },
        { title: "Actions", cell: (p) => p.actions.join(", ") },
        { title: "Decision", cell: (p) => h("span", { class: p.decision === "Deny" ? "bad" : "" }, p.decision) },
        { title: "Source IPs", cell: (p) => (p.sourceIps ?? []).join(", ") || "any" },
        {
          title: "",
          cell: (p) =>
            actionForm({ class: "inline" }, [], "Remove", async () => {
              await save(user.policies.filter((q) => q.resource !== p.resource));
              await route();
            }),
        },
      ],
      user.policies,
      { id: "policies" },
    ),
    h("h3", {}, "Add or replace the entry of a resource"),
    actionForm(
      { id: "add-policy" },
      [
        field("Resource", "resource", { required: true, placeholder: "Topic:orders, Group:billing-*, Topic:*" }),
        field("Actions", "actions", { required: true, placeholder: ACTIONS.join(", ") }),
        h("label", {}, "Decision", select("decision", ["Allow", "Deny"], "Allow")),
        field("Source IPs", "sourceIps", { placeholder: "any, or 10.0.0.0/8, 192.168.1.7" }),
      ],
      "Save",
      async (v) => {
        const entry = { resource: v.resource.trim(), actions: listOf(v.actions), decision: v.decision, sourceIps: listOf(v.sourceIps) };
        await save([...user.policies.filter((q) => q.resource !== entry.resource), entry]);
        await route();
        return "saved";
      },
    ),
    h("h2", {}, "Password, type and status"),
    actionForm(
      { id: "update-user" },
      [
        field("New password (empty: unchanged)", "password", {
          type: "password",
          minlength: 8,
          maxlength: 128,
          autocomplete: "new-password",
        }),
        h("label", {}, "Type", select("userType", ["Normal", "Super"], user.userType ?? "Normal")),
        h("label", {}, "Status", select("userStatus", ["enable", "disable"], user.userStatus ?? "enable")),
      ],
      "Update",
      async (v) => {
        await api("PUT", `/api/users/${encodeURIComponent(name)}`, {
          ...(v.password ? { password: v.password } : {}),
          userType: v.userType,
          userStatus: v.userStatus,
        });
        return `user ${name} updated`;
      },
    ),
    h("h2", {}, "Delete"),
    actionForm(
      { id: "delete-user" },
      [],
      `Delete ${name} everywhere`,
      async () => {
        if (!confirm(`Delete user ${name} and its policies from every broker?`)) return "cancelled";
        await api("DELETE", `/api/users/${encodeURIComponent(name)}`);
        location.hash = "#/users";
        return `user ${name} deleted`;
      },
      { danger: true },
    ),
  );
}

// --- shell ---------------------------------------------------------------------------------------------------

function showLogin(message) {
  document.getElementById("nav").hidden = true;
  document.getElementById("who").textContent = "";
  const form = h(
    "form",
    { id: "login", class: "card" },
    h("h1", {}, "Log in"),
    message ? errorBox(message) : null,
    field("User", "user", { autocomplete: "username", required: true, value: "admin" }),
    field("Password", "password", { type: "password", autocomplete: "current-password", required: true }),
    h("button", { type: "submit" }, "Log in"),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      session = await api("POST", "/api/login", formValues(form));
      await route();
    } catch (e) {
      showLogin(e.message);
    }
  });
  main.replaceChildren(form);
}

const routes = [
  [/^\/cluster$/, () => clusterPage()],
  [/^\/broker\/(.+)$/, (m) => brokerPage(decodeURIComponent(m[1]))],
  [/^\/ha$/, () => haPage()],
  [/^\/topics$/, (_m, q) => topicsPage(q)],
  [/^\/topic\/(.+)$/, (m) => topicPage(decodeURIComponent(m[1]))],
  [/^\/groups$/, (_m, q) => groupsPage(q)],
  [/^\/group\/(.+)$/, (m) => groupPage(decodeURIComponent(m[1]))],
  [/^\/messages$/, (_m, q) => messagesPage(q)],
  [/^\/dlq$/, (_m, q) => dlqPage(q)],
  [/^\/diagnostics$/, () => diagnosticsPage()],
  [/^\/users$/, () => usersPage()],
  [/^\/user\/(.+)$/, (m) => userPage(decodeURIComponent(m[1]))],
];

async function route() {
  if (!session) {
    try {
      session = await api("GET", "/api/session");
    } catch {
      return;
    }
  }
  document.getElementById("nav").hidden = false;
  document
    .getElementById("who")
    .replaceChildren(
      `${session.user}${session.readOnly ? " (read-only)" : ""} `,
      h("button", { type: "button", id: "logout", onclick: logout }, "Log out"),
    );
  const [path, query = ""] = (location.hash.slice(1) || "/cluster").split("?");
  for (const a of document.querySelectorAll("#nav a"))
    a.classList.toggle("active", path.startsWith(a.getAttribute("href").slice(1).replace(/s$/, "")));
  const match = routes.map(([re, render]) => [re.exec(path), render]).find(([m]) => m);
  main.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  try {
    if (match) await match[1](match[0], new URLSearchParams(query));
    else page("Not found", h("a", { href: "#/cluster" }, "to the cluster"));
  } catch (e) {
    if (session) page("Error", errorBox(e));
  }
}

async function logout() {
  await api("POST", "/api/logout").catch(() => undefined);
  session = null;
  showLogin();
}

window.addEventListener("hashchange", () => void route());
void route();
