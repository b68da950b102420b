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

// A state as a sentence names it: `the` (as a subject), `of` or `to`, with the article the
// language puts before that state ("du Sénégal", "da Nigéria"); for a state the catalogues do
// not know, its name after the language's plain preposition.
function stateForm(form, code) {
  const key = `form.${form}.${code}`;
  const known = MESSAGES[state.lang] && MESSAGES[state.lang][key];
  return known || t(`form.${form}.any`, { name: stateName(code) });
}

function capitalise(text) {
  return text ? text[0].toLocaleUpperCase(state.lang) + text.slice(1) : text;
}

// A consulate's post as people write it: "tripoli" → "Tripoli", "porto-novo" → "Porto-Novo".
function placeName(slug) {
  return slug.split(/([-_ ])/).map((part) => (part === "_" ? " " : capitalise(part))).join("");
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
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  const s = state.session;
  if (s) {
    // The gateway's address is for the operator; the user reads who they are.
    const uri = s.identity.split("/");
    const last = uri[uri.length - 1];
    document.getElementById("who").textContent = t(`who.${s.role}`, {
      name: placeName(last), of_state: stateForm("of", s.state), post: placeName(last),
    });
  }
  const returns = state.answers.returns;
  setReturnsTitle(returns ? returns.unit : document.getElementById("returns-unit").value,
    returns ? returns.by : document.getElementById("returns-by").value);
}

function setReturnsTitle(unit, by) {
  document.getElementById("returns-title").textContent =
    t("returns.title", { unit: t(`unit.word.${unit}`), by: t(`by.word.${by}`) });
}

// "03/2025" or "2025-03" → "2025-03"; anything else is the user's to correct.
function monthInput(id) {
  const text = document.getElementById(id).value.trim();
  if (!text) return "";
  let m = /^(\d{1,2})[/.-](\d{4})$/.exec(text);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 12) return `${m[2]}-${m[1].padStart(2, "0")}`;
  m = /^(\d{4})-(\d{2})$/.exec(text);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return text;
  throw new Failure("month", text);
}

// "15/03/2025" or "2025-03-15" → "2025-03-15".
function dateInput(id) {
  const text = document.getElementById(id).value.trim();
  if (!text) return "";
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  const iso = m ? `${m[3]}-${m[2].padStart(2, "0")}-${m[1].padStart(2, "0")}` : text;
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  const date = m && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (!date || date.getUTCDate() !== Number(m[3])) throw new Failure("date", text);
  return iso;
}

// The months of a relative period, from today: [from, to] as YYYY-MM, or [] for all.
function monthsOf(range) {
  const now = new Date();
  const y = now.getUTCFullYear(), mo = now.getUTCMonth() + 1;
  const month = (year, m) => `${year}-${String(m).padStart(2, "0")}`;
  switch (range) {
    case "last12": {
      const back = y * 12 + mo - 1 - 11;
      return [month(Math.floor(back / 12), (back % 12) + 1), month(y, mo)];
    }
    case "this_year": return [month(y, 1), month(y, mo)];
    case "last_year": return [month(y - 1, 1), month(y - 1, 12)];
    case "custom": return [monthInput("returns-from"), monthInput("returns-to")];
    default: return [];
  }
}

// ---------- talking to the local server ----------

async function api(path, options = {}) {
  const headers = Object.assign({ "x-midwa-token": state.token, "x-midwa-lang": state.lang }, options.headers || {});
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

function legend(container, series) {
  const box = document.createElement("div");
  box.className = "legend";
  series.forEach((s, i) => {
    const span = document.createElement("span");
    span.style.setProperty("--swatch", s.color || PALETTE[i % PALETTE.length]);
    span.textContent = s.name;
    box.append(span);
  });
  container.append(box);
}

// The frame of a chart over categories along x: the y grid and its labels (none when nothing
// is shown: a scale of zeros says nothing), and category labels spaced so that they never
// overlap.
function frame(chart, categories, max, format, box) {
  const { width, left, top, plot, bottom, height } = box;
  if (max > 0) {
    for (const f of [0, 0.5, 1]) {
      const y = top + plot * (1 - f);
      chart.append(svg("line", { x1: left, x2: width, y1: y, y2: y, stroke: "#d5dbe2" }));
      chart.append(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, format(max * f)));
    }
  }
  const step = (width - left) / categories.length;
  const widest = Math.max(...categories.map((c) => String(c).length)) * 6.5 + 12;
  const every = Math.max(1, Math.ceil(widest / step));
  categories.forEach((c, ci) => {
    if (ci % every === 0) {
      chart.append(svg("text", { class: "category", x: left + ci * step + step / 2, y: height - bottom + 16, "text-anchor": "middle" }, c));
    }
  });
  return step;
}

const BOX = { width: 900, height: 260, left: 56, bottom: 40, top: 10, plot: 210 };

// Grouped bars: one group per category, one bar per series; a hidden value is drawn as an
// outlined stub marked "hidden".
function barChart(container, categories, series, format) {
  container.replaceChildren();
  if (!categories.length) return;
  legend(container, series);
  const values = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const max = values.length ? Math.max(1e-9, ...values) : 0;
  const { top, plot } = BOX;
  const chart = svg("svg", { viewBox: `0 0 ${BOX.width} ${BOX.height}`, role: "img" });
  const group = frame(chart, categories, max, format, BOX);
  const bar = Math.max(2, Math.min(28, (group * 0.8) / series.length));
  categories.forEach((c, ci) => {
    const x0 = BOX.left + ci * group + (group - bar * series.length) / 2;
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
  });
  container.append(chart);
}

// Lines for trends: one per series; a hidden value breaks its line and is marked by a hollow
// point on the axis.
function lineChart(container, categories, series, format) {
  container.replaceChildren();
  if (!categories.length) return;
  legend(container, series);
  const values = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const max = values.length ? Math.max(1e-9, ...values) : 0;
  const { top, plot } = BOX;
  const chart = svg("svg", { viewBox: `0 0 ${BOX.width} ${BOX.height}`, role: "img" });
  const step = frame(chart, categories, max, format, BOX);
  const x = (ci) => BOX.left + ci * step + step / 2;
  series.forEach((s, si) => {
    const color = s.color || PALETTE[si % PALETTE.length];
    let points = [];
    const flush = () => {
      if (points.length > 1) {
        chart.append(svg("polyline", { points: points.join(" "), fill: "none", stroke: color, "stroke-width": 2 }));
      }
      points = [];
    };
    s.values.forEach((v, ci) => {
      if (v === null || v === undefined) {
        flush();
        if (v === null) {
          const mark = svg("circle", { cx: x(ci), cy: top + plot, r: 3, fill: "#fff", stroke: "var(--suppressed)" });
          mark.append(svg("title", {}, `${categories[ci]}, ${s.name}: ${t("suppressed")}`));
          chart.append(mark);
        }
        return;
      }
      const y = top + plot - (plot * v) / max;
      points.push(`${x(ci)},${y}`);
      const dot = svg("circle", { cx: x(ci), cy: y, r: 2.5, fill: color });
      dot.append(svg("title", {}, `${categories[ci]}, ${s.name}: ${format(v)}`));
      chart.append(dot);
    });
    flush();
  });
  container.append(chart);
}

// Horizontal bars for categories with long names (groups, categories): one row each, its name
// on the left, so that names never overlap however many there are.
function rowChart(container, categories, series, format) {
  container.replaceChildren();
  if (!categories.length) return;
  if (series.length > 1) legend(container, series);
  const values = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const max = values.length ? Math.max(1e-9, ...values) : 0;
  const row = 24, left = 240, width = 900, right = 80;
  const height = categories.length * row * Math.max(1, series.length) + 8;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
  categories.forEach((c, ci) => {
    const y0 = 4 + ci * row * series.length;
    chart.append(svg("text", { class: "category", x: left - 8, y: y0 + (row * series.length) / 2 + 4, "text-anchor": "end" }, c));
    series.forEach((s, si) => {
      const v = s.values[ci];
      const y = y0 + si * row + 3;
      if (v === null || v === undefined) {
        const stub = svg("rect", { x: left, y, width: 40, height: row - 6, fill: "none", stroke: "var(--suppressed)", "stroke-dasharray": "2 2" });
        stub.append(svg("title", {}, `${c}: ${t("suppressed")}`));
        chart.append(stub);
        return;
      }
      const w = Math.max(1, ((width - left - right) * v) / max);
      const rect = svg("rect", { x: left, y, width: w, height: row - 6, fill: s.color || PALETTE[si % PALETTE.length] });
      rect.append(svg("title", {}, `${c}, ${s.name}: ${format(v)}`));
      chart.append(rect);
      chart.append(svg("text", { x: left + w + 6, y: y + row / 2, class: "value" }, format(v)));
    });
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
      if (cell.title) td.title = cell.title;
      if (cell.suppressed) {
        hidden = true;
        td.classList.add("suppressed");
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

// CSV as the user's spreadsheet opens it: UTF-8 with a byte-order mark, and where the
// language writes decimal commas (French, Portuguese), semicolons between fields.
function download(file, headers, rows) {
  const comma = state.lang !== "en";
  const separator = comma ? ";" : ",";
  const quote = (v) => (v.includes(separator) || /["\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const value = (c) => {
    const raw = c.raw ?? c.text;
    const text = String(raw);
    return comma && (typeof raw === "number" || /^-?\d+\.\d+$/.test(text)) ? text.replace(".", ",") : text;
  };
  const lines = [headers.map((h) => quote(h.text)).join(separator)];
  for (const row of rows) lines.push(row.map((c) => quote(value(c))).join(separator));
  save(file, "\ufeff" + lines.join("\r\n") + "\r\n", "text/csv;charset=utf-8");
}

function save(file, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
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
      of_state: stateForm("of", o.state),
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
  return capitalise(t(key, {
    state: stateName(o.state), the_state: stateForm("the", o.state), of_state: stateForm("of", o.state),
    date: day(o.expired_on || ""), dims: dims.join(", "),
  }));
}

// ---------- the coordinator's panels ----------

const panels = {
  async returns() {
    const by = document.getElementById("returns-by").value;
    const unit = document.getElementById("returns-unit").value;
    const origin = document.getElementById("returns-origin").value;
    const body = {
      metric: "returns",
      by: ["period", by],
      unit,
      filters: origin && by === "mode" ? [`origin=${origin}`] : [],
    };
    const [from, to] = monthsOf(document.getElementById("returns-range").value);
    if (from) body.from = from;
    if (to) body.to = to;
    return { main: await query(body), body, by, unit };
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
  async completeness() {
    return { main: await api("/api/completeness") };
  },
  async opportunities() {
    const open = dateInput("opportunities-open");
    const list = await api(`/api/opportunities${open ? `?open_on=${open}` : ""}`);
    return { main: { origins: list.states, opportunities: list.opportunities } };
  },
};

const draw = {
  returns({ main, by = "mode", unit = "month" }) {
    setReturnsTitle(unit, by);
    const periods = [...new Set(main.cells.map((c) => c.values[0]))].sort();
    const keys = by === "mode"
      ? ["air", "land", "sea"].filter((m) => main.cells.some((c) => c.values[1] === m))
      : [...new Set(main.cells.map((c) => c.values[1]))].sort((a, b) => stateName(a).localeCompare(stateName(b), state.lang));
    const name = (k) => (by === "mode" ? term("mode", k) : stateName(k));
    const color = (k, i) => (by === "mode" ? `var(--${k})` : PALETTE[i % PALETTE.length]);
    const cellOf = (p, k) => main.cells.find((c) => c.values[0] === p && c.values[1] === k);
    const chart = document.getElementById("returns-style").value === "bars" ? barChart : lineChart;
    chart(document.getElementById("returns-chart"), periods.map(shortPeriod),
      keys.map((k, i) => ({ name: name(k), color: color(k, i), values: periods.map((p) => { const c = cellOf(p, k); return c ? c.count ?? null : undefined; }) })),
      (v) => number(Math.round(v)));
    // Most cells hidden: a coarser period shows them.
    const hidden = main.cells.filter((c) => c.count === null || c.count === undefined).length;
    const hint = document.getElementById("returns-hidden-hint");
    hint.hidden = !(main.cells.length && hidden * 2 > main.cells.length);
    hint.textContent = t(`hint.hidden_${unit}`);
    const byHeader = { text: t(by === "mode" ? "col.mode" : "col.origin") };
    if (document.getElementById("returns-pivot").checked) {
      // Periods as columns: one row per mode or state, exactly as shown (and exported).
      table(document.getElementById("returns-table"), "returns",
        [byHeader, ...periods.map((p) => ({ text: period(p), number: true }))],
        keys.map((k) => [{ text: name(k), raw: k }, ...periods.map((p) => {
          const c = cellOf(p, k);
          if (!c) return { text: "", raw: "" };
          const cell = countCell(c, main.threshold);
          if (!cell.suppressed) cell.title = `± ${number(c.error ?? 0, 1)}`;
          return cell;
        })]),
        main.threshold);
    } else {
      table(document.getElementById("returns-table"), "returns",
        [{ text: t("col.period") }, byHeader, { text: t("col.returns"), number: true }, { text: t("col.error"), number: true }],
        [...main.cells.map((c) => [
          { text: period(c.values[0]), raw: c.values[0] },
          { text: name(c.values[1]), raw: c.values[1] },
          countCell(c, main.threshold),
          errorCell(c),
        ]), ...totalRow(main, 2)],
        main.threshold);
    }
    exportButtons(document.getElementById("returns-table"), "returns");
    origins(document.getElementById("returns-origins"), main);
    const select = document.getElementById("returns-origin");
    for (const o of main.origins) {
      const option = [...select.options].find((opt) => opt.value === o.state) || select.appendChild(new Option("", o.state));
      option.textContent = stateName(o.state);
    }
  },
  coverage({ main }) {
    const share = (c) => (c.share === null || c.share === undefined ? null : c.share);
    rowChart(document.getElementById("coverage-chart"), main.cells.map((c) => term("assistance_category", c.values[0])),
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
    lineChart(document.getElementById("scores-chart"), main.cells.map((c) => shortPeriod(c.values[0])),
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
    rowChart(document.getElementById("vulnerable-chart"), main.cells.map((c) => term("vulnerability", c.values[0])),
      [{ name: t("col.returns"), values: main.cells.map((c) => c.count ?? null) }], (v) => number(Math.round(v)));
    table(document.getElementById("vulnerable-table"), "vulnerable-groups",
      [{ text: t("col.vulnerability") }, { text: t("col.returns"), number: true }, { text: t("col.error"), number: true }],
      main.cells.map((c) => [{ text: term("vulnerability", c.values[0]), raw: c.values[0] }, countCell(c, main.threshold), errorCell(c)]),
      main.threshold);
    origins(document.getElementById("vulnerable-origins"), main);
  },
  completeness({ main }) {
    const now = Date.now();
    const when = (ms) => new Intl.DateTimeFormat(state.lang, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(ms));
    const rows = [...main.states]
      .sort((a, b) => stateName(a.state).localeCompare(stateName(b.state), state.lang))
      .map((s) => {
        // No data for a week: the figures of this state may be behind, not down.
        const stale = !s.last_delivery_ms || now - s.last_delivery_ms > 7 * 86400000;
        return [
          { text: stateName(s.state), raw: s.state },
          { text: t(s.connected ? "completeness.connected_yes" : "completeness.connected_no"), raw: s.connected ? 1 : 0 },
          Object.assign({ text: s.last_delivery_ms ? `${when(s.last_delivery_ms)} UTC` : t("completeness.never"),
            raw: s.last_delivery_ms ? new Date(s.last_delivery_ms).toISOString() : "" }, stale ? { title: t("completeness.stale") } : {}),
          { text: `${number(s.days_reported)} / 30`, raw: s.days_reported },
          { text: s.policy_version ? t("completeness.policy", { v: s.policy_version, date: day(new Date(s.policy_pushed_ms).toISOString().slice(0, 10)) }) : t("completeness.no_policy"),
            raw: s.policy_version },
        ];
      });
    table(document.getElementById("completeness-table"), "completeness",
      [{ text: t("col.state") }, { text: t("col.connected") }, { text: t("col.last_delivery") },
        { text: t("col.days_reported"), number: true }, { text: t("col.policy") }],
      rows);
    const cells = document.querySelectorAll("#completeness-table tbody tr");
    rows.forEach((r, i) => { if (r[2].title && cells[i]) cells[i].classList.add("stale"); });
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

// Buttons that export the panel's question for statistical tools (docs/exports.md): the
// console server asks it again and writes SDMX-CSV, a DHIS2 data value set or HXL.
function exportButtons(container, name) {
  const box = document.createElement("p");
  box.className = "exports";
  box.append(t("export.as"), " ");
  for (const [format, file] of [["sdmx", `${name}.sdmx.csv`], ["dhis2", `${name}.dhis2.json`], ["hxl", `${name}.hxl.csv`]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.id = `${name}-export-${format}`;
    button.textContent = { sdmx: "SDMX-CSV", dhis2: "DHIS2", hxl: "HXL" }[format];
    button.addEventListener("click", async () => {
      try {
        const body = Object.assign({}, state.answers[name].body);
        if (format === "dhis2" && !body.by.includes("origin")) body.by = [...body.by, "origin"];
        const response = await fetch(`/api/export?format=${format}`, {
          method: "POST",
          headers: { "x-midwa-token": state.token, "x-midwa-lang": state.lang, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        const text = await response.text();
        if (!response.ok) {
          const failure = JSON.parse(text);
          throw new Failure(failure.kind, failure.error);
        }
        save(file, text, response.headers.get("content-type") || "text/plain");
        showError(null);
      } catch (error) {
        showError(error);
      }
    });
    box.append(button, " ");
  }
  container.append(box);
}

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
  verdict.textContent = `${answer.code}: ${answer.verified ? t("verify.yes", { to_state: stateForm("to", answer.origin) }) : t("verify.no")}`;
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
      className: "hint", textContent: t("verify.policy", { v: answer.policy_version, of_state: stateForm("of", answer.origin) }),
    }));
  }
  if (answer.attestation) {
    box.append(Object.assign(document.createElement("p"), {
      className: answer.attestation.valid ? "yes" : "no",
      textContent: answer.attestation.valid
        ? t("verify.attestation_valid", { of_state: stateForm("of", answer.attestation.origin) })
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
  for (const id of ["returns-style", "returns-pivot"]) {
    document.getElementById(id).addEventListener("change", () => state.answers.returns && draw.returns(state.answers.returns));
  }
  const range = document.getElementById("returns-range");
  const custom = () => { for (const el of document.querySelectorAll(".custom-months")) el.hidden = range.value !== "custom"; };
  range.addEventListener("change", custom);
  custom();
  document.getElementById("opportunities-form").addEventListener("submit", (e) => { e.preventDefault(); show("opportunities"); });
  // Only coordinators see notices counted across the region; a state's own agency reads its
  // notices with `midwa-node notices`.
  const coordinator = state.session.role === "coordinator";
  document.getElementById("notices").hidden = !coordinator;
  document.getElementById("completeness").hidden = !coordinator;
  for (const name of Object.keys(panels)) {
    if ((name !== "notices" && name !== "completeness") || coordinator) show(name);
  }
}

start();
