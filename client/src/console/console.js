// The MIDWA console: asks the local `midwa console` server (which asks the gateway over mTLS)
// and shows the answers as charts and tables, in the chosen language. No data is kept beyond
// the page: answers stay in memory so that a change of language redraws them.
"use strict";

const state = {
  lang: "en",
  token: "",
  session: null,
  answers: {},   // the last answer of each panel, redrawn on a change of language
  error: null,   // the failure shown, said again on a change of language
  names: {},     // participants' names by code: { GH: { en, fr, pt, status } }
};

// ---------- words, numbers and dates ----------

function t(key, values) {
  const text = (MESSAGES[state.lang] && MESSAGES[state.lang][key]) ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (values && name in values ? values[name] : `{${name}}`));
}

function term(kind, value) {
  if (kind === "vulnerability" && value.includes(";")) {
    return value.split(";").map((v) => term(kind, v)).join(" + ");
  }
  return (TERMS[state.lang][kind] && TERMS[state.lang][kind][value]) ?? value;
}

function number(n, digits) {
  const options = digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return new Intl.NumberFormat(state.lang, options).format(n);
}

function percent(share) {
  return new Intl.NumberFormat(state.lang, { style: "percent", maximumFractionDigits: 1 }).format(share);
}

// "2026-03" → "March 2026" / "mars 2026" / "março de 2026"; "2026-Q1" → "Q1 2026" / "T1 2026".
function period(value) {
  let m = /^(\d{4})-(\d{2})$/.exec(value);
  if (m) {
    const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
    return new Intl.DateTimeFormat(state.lang, { month: "long", year: "numeric", timeZone: "UTC" }).format(date);
  }
  m = /^(\d{4})-Q(\d)$/.exec(value);
  if (m) return t("quarter", { q: m[2], y: m[1] });
  return value;
}

// A period for a chart's axis: "Mar 26", "mars 26".
function shortPeriod(value) {
  const m = /^(\d{4})-(\d{2})$/.exec(value);
  if (!m) return period(value);
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return new Intl.DateTimeFormat(state.lang, { month: "short", year: "2-digit", timeZone: "UTC" }).format(date);
}

function day(value) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const [y, mo, d] = value.split("-").map(Number);
  return new Intl.DateTimeFormat(state.lang, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(Date.UTC(y, mo - 1, d)));
}

// A state's name in the chosen language, from the gateway's participant list; its code
// when the state is not a participant.
function stateName(code) {
  const names = state.names[code];
  return names ? names[state.lang] || names.en : code;
}

// A dimension's value as people read it.
function label(column, value) {
  switch (column) {
    case "period": return period(value);
    case "origin": case "host_country": return stateName(value);
    case "mode": case "sex": case "return_type": case "vulnerability": case "assistance_category":
      return term(column, value);
    default: return value;
  }
}

function applyWords() {
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  const s = state.session;
  if (s) {
    const uri = s.identity.split("/");
    document.getElementById("who").textContent = t(`who.${s.role}`, {
      name: uri[uri.length - 1], state: stateName(s.state), post: uri[uri.length - 1], gateway: s.gateway,
    });
  }
}

// ---------- talking to the local server ----------

async function api(path, options = {}) {
  const headers = Object.assign({ "x-midwa-token": state.token }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Failure(response.status === 401 ? "session" : body.kind, body.error || response.statusText);
  }
  return body;
}

// A failure of the local server or the gateway: its kind is said in the user's language
// (`error.<kind>`), with the details, in English, where the message has room for them.
class Failure extends Error {
  constructor(kind, detail) {
    super(detail);
    this.kind = kind;
    this.detail = detail;
  }
}

function query(body) {
  return api("/api/query", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

function showError(error) {
  state.error = error;
  const el = document.getElementById("error");
  el.textContent = !error ? ""
    : error.kind && MESSAGES.en[`error.${error.kind}`] ? t(`error.${error.kind}`, { detail: error.detail })
    : String(error.message || error);
  el.hidden = !error;
}

// ---------- drawing ----------

const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["var(--air)", "var(--land)", "var(--sea)", "var(--other)", "#b8a013", "#6b8e23"];

function svg(name, attributes, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

// Grouped bars: one group per category, one bar per series; a hidden value is drawn as an
// outlined stub marked "hidden".
function barChart(container, categories, series, format) {
  container.replaceChildren();
  if (!categories.length) return;
  const legend = document.createElement("div");
  legend.className = "legend";
  series.forEach((s, i) => {
    const span = document.createElement("span");
    span.style.setProperty("--swatch", s.color || PALETTE[i % PALETTE.length]);
    span.textContent = s.name;
    legend.append(span);
  });
  container.append(legend);
  const values = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const max = Math.max(1e-9, ...values);
  const width = 900, height = 260, left = 56, bottom = 40, top = 10;
  const plot = height - bottom - top;
  const group = (width - left) / categories.length;
  const bar = Math.max(2, Math.min(28, (group * 0.8) / series.length));
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
  for (const f of [0, 0.5, 1]) {
    const y = top + plot * (1 - f);
    chart.append(svg("line", { x1: left, x2: width, y1: y, y2: y, stroke: "#d5dbe2" }));
    chart.append(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, format(max * f)));
  }
  categories.forEach((c, ci) => {
    const x0 = left + ci * group + (group - bar * series.length) / 2;
    series.forEach((s, si) => {
      const v = s.values[ci];
      const x = x0 + si * bar;
      if (v === null) {
        const stub = svg("rect", { x, y: top + plot - 12, width: bar - 1, height: 12, fill: "none", stroke: "var(--suppressed)", "stroke-dasharray": "2 2" });
        stub.append(svg("title", {}, `${s.name}: ${t("suppressed")}`));
        chart.append(stub);
      } else if (v !== undefined) {
        const h = (plot * v) / max;
        const rect = svg("rect", { x, y: top + plot - h, width: bar - 1, height: h, fill: s.color || PALETTE[si % PALETTE.length] });
        rect.append(svg("title", {}, `${c}, ${s.name}: ${format(v)}`));
        chart.append(rect);
      }
    });
    if (ci % Math.ceil(categories.length / 12) === 0) {
      chart.append(svg("text", { x: left + ci * group + group / 2, y: height - bottom + 16, "text-anchor": "middle" }, c));
    }
  });
  container.append(chart);
}

// A table with an export button. `rows` are arrays of {text, raw, number, suppressed, title}.
function table(container, name, headers, rows, threshold) {
  container.replaceChildren();
  if (!rows.length) {
    container.textContent = t("nothing");
    return;
  }
  const el = document.createElement("table");
  const head = el.createTHead().insertRow();
  headers.forEach((h) => {
    const th = document.createElement("th");
    th.textContent = h.text;
    if (h.number) th.className = "number";
    head.append(th);
  });
  const body = el.createTBody();
  let hidden = false;
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((cell, i) => {
      const td = tr.insertCell();
      td.textContent = cell.text;
      if (headers[i].number) td.classList.add("number");
      if (cell.suppressed) {
        hidden = true;
        td.classList.add("suppressed");
        td.title = cell.title || "";
      }
    });
  }
  container.append(el);
  if (hidden && threshold) {
    const note = document.createElement("p");
    note.className = "hint";
    note.textContent = t("suppressed.legend", { t: number(threshold) });
    container.append(note);
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.textContent = t("export");
  button.addEventListener("click", () => download(`${name}.csv`, headers, rows));
  container.append(button);
}

function download(file, headers, rows) {
  const quote = (v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [headers.map((h) => quote(h.text)).join(",")];
  for (const row of rows) lines.push(row.map((c) => quote(String(c.raw ?? c.text))).join(","));
  const url = URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = file;
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

// A count cell: the number, or "hidden" with the reason.
function countCell(cell, threshold) {
  if (cell.count === null || cell.count === undefined) {
    const reason = cell.suppressed === "uncertain" ? t("suppressed.uncertain") : t("suppressed.primary", { t: number(threshold) });
    return { text: t("suppressed"), raw: "", suppressed: true, title: reason };
  }
  return { text: number(cell.count), raw: cell.count };
}

// A count's 95 % error: "± 7.3".
function errorCell(cell) {
  const e = cell.error ?? 0;
  return { text: `± ${number(e, 1)}`, raw: e.toFixed(2) };
}

// The total of an answer as a last row, its label in the first of `columns` columns.
function totalRow(answer, columns) {
  if (!answer.total) return [];
  const labels = Array.from({ length: columns }, (_, i) => ({ text: i === 0 ? t("total") : "", raw: i === 0 ? "total" : "" }));
  return [[...labels, countCell(answer.total, answer.threshold), errorCell(answer.total)]];
}

// What an answer says of its noise, its months and each state's privacy budget, then the
// states included and left out.
function origins(container, answer) {
  container.replaceChildren();
  const noise = document.createElement("p");
  noise.className = "noise";
  noise.textContent = t("noise", { e: number(answer.error || 0, 1), last: answer.last_month ? period(answer.last_month) : "—" });
  container.append(noise);
  const included = answer.origins.filter((o) => o.included)
    .map((o) => `${stateName(o.state)} (${o.policy_version === 0 ? t("own_data") : t("policy_version", { v: o.policy_version })})`);
  const p = document.createElement("p");
  p.textContent = t("included", { list: included.length ? included.join(", ") : t("none") });
  container.append(p);
  for (const o of answer.origins.filter((o) => o.privacy)) {
    const q = document.createElement("p");
    q.className = "privacy";
    q.textContent = t("privacy", {
      state: stateName(o.state),
      spent: number(o.privacy.rho_spent, 2),
      budget: number(o.privacy.rho_budget, 2),
      epsilon: number(o.privacy.epsilon, 1),
      delta: String(o.privacy.delta),
    });
    container.append(q);
  }
  for (const o of answer.origins.filter((o) => !o.included)) {
    const q = document.createElement("p");
    q.className = "left-out";
    q.textContent = t("left_out", { state: stateName(o.state), reason: leftOutReason(o) });
    container.append(q);
  }
}

// Why an origin is left out, in the chosen language when the gateway said which reason it is;
// otherwise the gateway's own words (English).
function leftOutReason(o) {
  const key = `why.${o.reason_kind}${o.reason_kind === "expired" && !o.expired_on ? "_undated" : ""}`;
  if (!o.reason_kind || !MESSAGES.en[key]) return o.reason;
  const dims = (o.uncovered || []).map((d) => (MESSAGES.en[`col.${d}`] ? t(`col.${d}`) : d).toLowerCase());
  return t(key, { state: stateName(o.state), date: day(o.expired_on || ""), dims: dims.join(", ") });
}

// ---------- the coordinator's panels ----------

const panels = {
  async returns() {
    const origin = document.getElementById("returns-origin").value;
    const body = {
      metric: "returns",
      by: ["period", "mode"],
      unit: document.getElementById("returns-unit").value,
      filters: origin ? [`origin=${origin}`] : [],
    };
    const from = document.getElementById("returns-from").value;
    const to = document.getElementById("returns-to").value;
    if (from) body.from = from;
    if (to) body.to = to;
    return { main: await query(body) };
  },
  async coverage() {
    return { main: await query({ metric: "coverage", by: ["assistance_category"] }) };
  },
  async scores() {
    return { main: await query({ metric: "mean_scores", by: ["period"], unit: "quarter" }) };
  },
  async vulnerable() {
    return { main: await query({ metric: "returns", by: ["vulnerability_flag"] }) };
  },
  async notices() {
    return { main: await api("/api/notices") };
  },
  async opportunities() {
    const open = document.getElementById("opportunities-open").value;
    const list = await api(`/api/opportunities${open ? `?open_on=${open}` : ""}`);
    return { main: { origins: list.states, opportunities: list.opportunities } };
  },
};

const draw = {
  returns({ main }) {
    const periods = [...new Set(main.cells.map((c) => c.values[0]))].sort();
    const modes = ["air", "land", "sea"].filter((m) => main.cells.some((c) => c.values[1] === m));
    const value = (p, m) => {
      const cell = main.cells.find((c) => c.values[0] === p && c.values[1] === m);
      return cell ? cell.count : undefined;
    };
    barChart(document.getElementById("returns-chart"), periods.map(shortPeriod),
      modes.map((m) => ({ name: term("mode", m), color: `var(--${m})`, values: periods.map((p) => value(p, m)) })),
      (v) => number(Math.round(v)));
    table(document.getElementById("returns-table"), "returns",
      [{ text: t("col.period") }, { text: t("col.mode") }, { text: t("col.returns"), number: true }, { text: t("col.error"), number: true }],
      [...main.cells.map((c) => [
        { text: period(c.values[0]), raw: c.values[0] },
        { text: term("mode", c.values[1]), raw: c.values[1] },
        countCell(c, main.threshold),
        errorCell(c),
      ]), ...totalRow(main, 2)],
      main.threshold);
    origins(document.getElementById("returns-origins"), main);
    const select = document.getElementById("returns-origin");
    for (const o of main.origins) {
      const option = [...select.options].find((opt) => opt.value === o.state) || select.appendChild(new Option("", o.state));
      option.textContent = stateName(o.state);
    }
  },
  coverage({ main }) {
    const share = (c) => (c.share === null || c.share === undefined ? null : c.share);
    barChart(document.getElementById("coverage-chart"), main.cells.map((c) => term("assistance_category", c.values[0])),
      [{ name: t("col.share"), values: main.cells.map(share) }], percent);
    table(document.getElementById("coverage-table"), "coverage",
      [{ text: t("col.category") }, { text: t("col.assisted"), number: true }, { text: t("col.error"), number: true },
        { text: t("col.share"), number: true }, { text: t("col.error"), number: true }],
      main.cells.map((c) => {
        const s = share(c);
        return [
          { text: term("assistance_category", c.values[0]), raw: c.values[0] },
          countCell(c, main.threshold),
          errorCell(c),
          s === null ? { text: "—", raw: "" } : { text: percent(s), raw: s.toFixed(4) },
          s === null ? { text: "", raw: "" } : { text: `± ${percent(c.share_error || 0)}`, raw: (c.share_error || 0).toFixed(4) },
        ];
      }),
      main.threshold);
    origins(document.getElementById("coverage-origins"), main);
  },
  scores({ main }) {
    const kinds = ["economic", "social", "psychosocial", "composite"];
    barChart(document.getElementById("scores-chart"), main.cells.map((c) => period(c.values[0])),
      kinds.map((k) => ({ name: t(`col.${k}`), values: main.cells.map((c) => (c[k] ?? null)) })),
      (v) => number(v, 2));
    table(document.getElementById("scores-table"), "scores",
      [{ text: t("col.period") }, { text: t("col.surveys"), number: true }, { text: t("col.error"), number: true },
        ...kinds.map((k) => ({ text: t(`col.${k}`), number: true })), { text: t("col.error"), number: true }],
      main.cells.map((c) => [
        { text: period(c.values[0]), raw: c.values[0] },
        countCell(c, main.threshold),
        errorCell(c),
        ...kinds.map((k) => (c[k] === null || c[k] === undefined
          ? { text: t("suppressed"), raw: "", suppressed: true, title: t("suppressed.primary", { t: 20 }) }
          : { text: number(c[k], 2), raw: c[k] })),
        c.composite === null || c.composite === undefined ? { text: "", raw: "" }
          : { text: `± ${number(c.mean_error || 0, 2)}`, raw: (c.mean_error || 0).toFixed(4) },
      ]),
      main.threshold);
    origins(document.getElementById("scores-origins"), main);
  },
  vulnerable({ main }) {
    barChart(document.getElementById("vulnerable-chart"), main.cells.map((c) => term("vulnerability", c.values[0])),
      [{ name: t("col.returns"), values: main.cells.map((c) => c.count ?? null) }], (v) => number(Math.round(v)));
    table(document.getElementById("vulnerable-table"), "vulnerable-groups",
      [{ text: t("col.vulnerability") }, { text: t("col.returns"), number: true }, { text: t("col.error"), number: true }],
      main.cells.map((c) => [{ text: term("vulnerability", c.values[0]), raw: c.values[0] }, countCell(c, main.threshold), errorCell(c)]),
      main.threshold);
    origins(document.getElementById("vulnerable-origins"), main);
  },
  notices({ main }) {
    const months = [...new Set(main.rows.map((r) => r.month))].sort();
    const modes = ["air", "land", "sea"].filter((m) => main.rows.some((r) => r.mode === m));
    const persons = (month, mode) => main.rows
      .filter((r) => r.month === month && r.mode === mode)
      .reduce((sum, r) => sum + r.persons, 0);
    barChart(document.getElementById("notices-chart"), months.map(period),
      modes.map((m) => ({ name: term("mode", m), color: `var(--${m})`, values: months.map((mo) => persons(mo, m)) })),
      (v) => number(Math.round(v)));
    table(document.getElementById("notices-table"), "notices",
      [{ text: t("col.origin") }, { text: t("col.period") }, { text: t("col.mode") },
        { text: t("col.notices"), number: true }, { text: t("col.persons_expected"), number: true },
        { text: t("col.with_vulnerabilities"), number: true }, { text: t("col.acknowledged"), number: true }],
      main.rows.map((r) => [
        { text: stateName(r.origin), raw: r.origin },
        { text: period(r.month), raw: r.month },
        { text: term("mode", r.mode), raw: r.mode },
        { text: number(r.notices), raw: r.notices },
        { text: number(r.persons), raw: r.persons },
        { text: number(r.with_vulnerabilities), raw: r.with_vulnerabilities },
        { text: number(r.acknowledged), raw: r.acknowledged },
      ]));
  },
  opportunities({ main }) {
    table(document.getElementById("opportunities-table"), "opportunities",
      ["col.state", "col.kind", "col.sector", "col.region", "col.capacity", "col.starts", "col.ends", "col.title", "col.contact"]
        .map((k) => ({ text: t(k), number: k === "col.capacity" })),
      main.opportunities.map((o) => [
        { text: stateName(o.state), raw: o.state },
        { text: term("kind", o.kind), raw: o.kind },
        { text: term("sector", o.sector), raw: o.sector },
        { text: o.region === "nationwide" ? t("nationwide") : o.region, raw: o.region },
        { text: o.capacity === "-" ? t("unlimited") : number(Number(o.capacity)), raw: o.capacity },
        { text: day(o.starts), raw: o.starts },
        { text: o.ends === "-" ? t("open_ended") : day(o.ends), raw: o.ends },
        { text: o.title },
        { text: `${o.contact_office}, ${o.contact}` },
      ]));
    origins(document.getElementById("opportunities-origins"), main);
  },
};

async function show(name) {
  const section = document.getElementById(name);
  section.setAttribute("aria-busy", "true");
  try {
    state.answers[name] = await panels[name]();
    draw[name](state.answers[name]);
    showError(null);
  } catch (error) {
    showError(error);
  } finally {
    section.removeAttribute("aria-busy");
  }
}

// ---------- the consulate's page ----------

function showVerification(answer) {
  const box = document.getElementById("verify-result");
  box.replaceChildren();
  const verdict = document.createElement("p");
  verdict.className = `verdict ${answer.verified ? "yes" : "no"}`;
  verdict.textContent = `${answer.code}: ${answer.verified ? t("verify.yes", { origin: stateName(answer.origin) }) : t("verify.no")}`;
  box.append(verdict);
  if (answer.verified) {
    const list = document.createElement("dl");
    const field = (key, value) => {
      if (value === null || value === undefined) return;
      list.append(Object.assign(document.createElement("dt"), { textContent: t(`verify.${key}`) }));
      list.append(Object.assign(document.createElement("dd"), { textContent: value }));
    };
    field("return_month", answer.return_month && period(answer.return_month));
    field("mode", answer.mode && term("mode", answer.mode));
    field("host_country", answer.host_country && stateName(answer.host_country));
    field("return_type", answer.return_type && term("return_type", answer.return_type));
    field("assisted", answer.assisted === null || answer.assisted === undefined ? null : t(answer.assisted ? "yes" : "not_yet"));
    box.append(list);
    box.append(Object.assign(document.createElement("p"), {
      className: "hint", textContent: t("verify.policy", { v: answer.policy_version, origin: stateName(answer.origin) }),
    }));
  }
  if (answer.attestation) {
    box.append(Object.assign(document.createElement("p"), {
      className: answer.attestation.valid ? "yes" : "no",
      textContent: answer.attestation.valid
        ? t("verify.attestation_valid", { origin: stateName(answer.attestation.origin) })
        : t("verify.attestation_invalid", { error: answer.attestation.error }),
    }));
  }
}

async function verify(request) {
  try {
    state.answers.verify = await request;
    showVerification(state.answers.verify);
    showError(null);
  } catch (error) {
    document.getElementById("verify-result").replaceChildren();
    showError(error);
  }
}

// ---------- start ----------

function setLanguage(lang) {
  state.lang = MESSAGES[lang] ? lang : "en";
  localStorage.setItem("midwa-lang", state.lang);
  document.getElementById("lang").value = state.lang;
  applyWords();
  if (state.error) showError(state.error);
  for (const [name, answer] of Object.entries(state.answers)) {
    if (name === "verify") showVerification(answer);
    else if (draw[name]) draw[name](answer);
  }
}

async function start() {
  const fromHash = /token=([0-9a-f]+)/.exec(location.hash);
  if (fromHash) {
    sessionStorage.setItem("midwa-token", fromHash[1]);
    history.replaceState(null, "", location.pathname + location.search);
  }
  state.token = sessionStorage.getItem("midwa-token") || "";
  const asked = new URLSearchParams(location.search).get("lang");
  setLanguage(asked || localStorage.getItem("midwa-lang") || navigator.language.slice(0, 2));
  document.getElementById("lang").addEventListener("change", (e) => setLanguage(e.target.value));
  try {
    state.session = await api("/api/session");
    state.names = await api("/api/participants").catch(() => ({}));
  } catch (error) {
    showError(error);
    return;
  }
  applyWords();
  if (state.session.role === "consulate") {
    document.getElementById("consulate").hidden = false;
    document.getElementById("verify-form").addEventListener("submit", (e) => {
      e.preventDefault();
      verify(api("/api/verify", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ code: document.getElementById("verify-code").value }),
      }));
    });
    document.getElementById("verify-image").addEventListener("change", (e) => {
      const file = e.target.files[0];
      if (file) verify(api("/api/verify-image", { method: "POST", body: file }));
    });
    return;
  }
  document.getElementById("coordinator").hidden = false;
  document.getElementById("returns-form").addEventListener("submit", (e) => { e.preventDefault(); show("returns"); });
  document.getElementById("opportunities-form").addEventListener("submit", (e) => { e.preventDefault(); show("opportunities"); });
  // Only coordinators see notices counted across the region; a state's own agency reads its
  // notices with `midwa-node notices`.
  const coordinator = state.session.role === "coordinator";
  document.getElementById("notices").hidden = !coordinator;
  for (const name of Object.keys(panels)) {
    if (name !== "notices" || coordinator) show(name);
  }
}

start();
