// The analytics dashboard: plain modules, no build step. Data comes from the API's analytics
// routes (the repositories' reports); Observable Plot draws it. The key never leaves
// sessionStorage except as the Authorization header of those requests.

/* global Plot */

/** Okabe–Ito: distinguishable with every common colour-vision deficiency. */
const palette = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442'];
const KEY = 'aclue.dashboard.key';

const $ = (selector) => document.querySelector(selector);
const day = (date) => date.toISOString().slice(0, 10);
const money = (n) => `$${Number(n).toFixed(2)}`;
const percent = (fraction) => `${(Number(fraction) * 100).toFixed(1)} %`;

/** The period the controls show; `to` is inclusive on screen, exclusive in the query. */
function period() {
  const to = new Date(`${$('#to').value}T00:00:00Z`);
  to.setUTCDate(to.getUTCDate() + 1);
  return { from: $('#from').value, to: day(to), granularity: $('#granularity').value };
}

class Refused extends Error {}

async function fetchReport(endpoint, params, format = 'json') {
  const query = new URLSearchParams({ ...params, ...(format === 'csv' ? { format } : {}) });
  const response = await fetch(`/v1/analytics/${endpoint}?${query}`, {
    headers: { authorization: `Bearer ${sessionStorage.getItem(KEY) ?? ''}` },
  });
  if (response.status === 401 || response.status === 403) {
    const problem = await response.json().catch(() => ({}));
    throw new Refused(problem.detail ?? 'not allowed');
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail ?? `the report failed (${response.status})`);
  }
  return format === 'csv' ? response.text() : (await response.json()).data;
}

const bars = (rows, { x, y, label }) =>
  Plot.plot({
    marginLeft: 170,
    width: 440,
    height: Math.max(120, rows.length * 28 + 40),
    x: { label, grid: true },
    y: { label: null },
    marks: [
      Plot.barX(rows, { x, y, fill: palette[0], sort: { y: '-x' }, tip: true }),
      Plot.ruleX([0]),
    ],
  });

const overTime = (rows, { y, label, color }) => {
  // At most about twelve labels on the axis, and a visible axis when every value is zero.
  const step = Math.max(1, Math.ceil(rows.length / 12));
  const zero = rows.every((r) => !r[y]);
  return Plot.plot({
    width: 440,
    height: 240,
    x: {
      type: 'band',
      label: null,
      ticks: rows.filter((_, i) => i % step === 0).map((r) => r.bucket),
      tickFormat: (d) => String(d).slice(5, 10),
    },
    y: { label, grid: true, ...(zero ? { domain: [0, 1] } : {}) },
    marks: [Plot.barY(rows, { x: 'bucket', y, fill: color, tip: true }), Plot.ruleY([0])],
  });
};

/** Every page: its charts, each a report, the parameters it needs and how it is drawn. */
const pages = {
  revenue: {
    title: 'Revenue and conversions',
    charts: [
      {
        id: 'commission-over-time',
        title: 'Commission over time',
        report: 'revenue-over-time',
        draw: (rows) =>
          overTime(rows, { y: 'actual_commission', label: 'commission ($)', color: palette[0] }),
      },
      {
        id: 'conversions-over-time',
        title: 'Conversions over time',
        report: 'revenue-over-time',
        draw: (rows) =>
          overTime(rows, { y: 'conversions', label: 'conversions', color: palette[2] }),
      },
      ...['network', 'campaign', 'device'].map((by) => ({
        id: `revenue-by-${by}`,
        title: `Commission by ${by}`,
        report: 'revenue',
        params: { by },
        draw: (rows) => bars(rows, { x: 'actual_commission', y: 'key', label: 'commission ($)' }),
      })),
    ],
  },
  funnel: {
    title: 'Session funnel',
    charts: [
      {
        id: 'funnel',
        title: 'Sessions → views → clicks → conversions',
        report: 'funnel',
        rows: (row) =>
          row
            ? [
                { stage: '1 sessions', count: row.sessions },
                { stage: '2 with views', count: row.sessions_with_views },
                { stage: '3 with clicks', count: row.sessions_with_clicks },
                { stage: '4 conversions', count: row.conversions },
              ]
            : [],
        empty: (rows) => rows.every((r) => !r.count),
        draw: (rows) =>
          Plot.plot({
            marginLeft: 110,
            width: 440,
            height: 180,
            x: { label: 'count', grid: true },
            y: { label: null },
            marks: [
              Plot.barX(rows, { x: 'count', y: 'stage', fill: palette[1], tip: true }),
              Plot.ruleX([0]),
            ],
          }),
      },
    ],
  },
  ctr: {
    title: 'Click-through rate',
    charts: [
      {
        id: 'ctr-by-position-and-source',
        title: 'Click-through rate by list position and source',
        report: 'ctr',
        draw: (rows) =>
          Plot.plot({
            width: 440,
            height: 260,
            marginLeft: 110,
            padding: 0.05,
            x: { label: 'position', type: 'band' },
            y: { label: null },
            color: { scheme: 'cividis', legend: true, percent: true, label: 'CTR (%)' },
            marks: [
              Plot.cell(rows, {
                x: (d) => d.view_position ?? 0,
                y: 'view_source',
                fill: 'ctr',
                tip: true,
              }),
            ],
          }),
      },
    ],
  },
  products: {
    title: 'Top products',
    charts: [
      {
        id: 'top-products',
        title: 'Most clicked products',
        report: 'popularity',
        params: { limit: '10' },
        draw: (rows) => bars(rows, { x: 'clicks', y: 'title', label: 'affiliate clicks' }),
      },
    ],
  },
  engagement: {
    title: 'Engagement',
    charts: [
      {
        id: 'engagement-rates',
        title: 'Bounce and conversion rates of sessions started in the period',
        report: 'engagement',
        rows: (row) =>
          row && row.sessions > 0
            ? [
                { rate: 'bounce', value: row.bounce_rate },
                { rate: 'conversion', value: row.conversion_rate },
              ]
            : [],
        summary: (row) =>
          row
            ? `${row.sessions} sessions · ${row.average_duration_seconds} s average · ${row.average_pages} pages average · ${money(row.conversion_value)} converted`
            : '',
        draw: (rows) =>
          Plot.plot({
            width: 440,
            height: 140,
            marginLeft: 90,
            marginRight: 50,
            // Rates come as fractions (0–1), like every rate of the API; the axis reads in percent.
            x: { domain: [0, 100], percent: true, label: 'rate (%)', grid: true },
            y: { label: null },
            marks: [
              Plot.barX(rows, { x: 'value', y: 'rate', fill: palette[4], tip: true }),
              // A rate of 0 draws no bar: its label still shows it.
              Plot.text(rows, {
                x: 'value',
                y: 'rate',
                text: (d) => percent(d.value),
                textAnchor: 'start',
                dx: 4,
              }),
              Plot.ruleX([0]),
            ],
          }),
      },
    ],
  },
  health: {
    title: 'Database health',
    charts: [
      {
        id: 'table-rows',
        title: 'Live rows per table',
        report: 'health',
        rows: (sections) =>
          (sections.find((s) => s.title === 'table and index sizes')?.rows ?? []).map((r) => ({
            table: r.table,
            rows: Number(r.live_rows ?? 0),
          })),
        draw: (rows) => bars(rows, { x: 'rows', y: 'table', label: 'live rows' }),
        tables: (sections) => sections,
      },
    ],
  },
};

function csvName(chart) {
  const p = period();
  return `${chart.id}_${p.from}_${$('#to').value}.csv`;
}

async function download(chart) {
  const text = await fetchReport(chart.report, { ...period(), ...(chart.params ?? {}) }, 'csv');
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  link.download = csvName(chart);
  link.click();
  URL.revokeObjectURL(link.href);
}

function tableOf(section) {
  const wrap = document.createElement('section');
  const heading = document.createElement('h3');
  heading.textContent = section.title;
  wrap.append(heading);
  if (section.note || section.rows.length === 0) {
    const note = document.createElement('p');
    note.className = 'state';
    note.textContent = section.note ?? 'nothing to show';
    wrap.append(note);
    return wrap;
  }
  const table = document.createElement('table');
  const columns = Object.keys(section.rows[0]);
  table
    .createTHead()
    .insertRow()
    .append(...columns.map((c) => Object.assign(document.createElement('th'), { textContent: c })));
  const body = table.createTBody();
  for (const row of section.rows) {
    body
      .insertRow()
      .append(
        ...columns.map((c) =>
          Object.assign(document.createElement('td'), { textContent: String(row[c] ?? '') }),
        ),
      );
  }
  wrap.append(table);
  return wrap;
}

async function renderChart(chart, figure) {
  const body = figure.querySelector('.body');
  body.replaceChildren(
    Object.assign(document.createElement('p'), { className: 'state', textContent: 'Loading…' }),
  );
  figure.setAttribute('aria-busy', 'true');
  figure.dataset.state = 'loading';
  try {
    const data = await fetchReport(chart.report, { ...period(), ...(chart.params ?? {}) });
    const rows = chart.rows ? chart.rows(data) : data;
    const empty = chart.empty ? chart.empty(rows) : rows.length === 0;
    const parts = [];
    if (chart.summary)
      parts.push(Object.assign(document.createElement('p'), { textContent: chart.summary(data) }));
    parts.push(
      empty
        ? Object.assign(document.createElement('p'), {
            className: 'state',
            textContent: 'No data in this period.',
          })
        : chart.draw(rows),
    );
    if (chart.tables) parts.push(...chart.tables(data).map(tableOf));
    body.replaceChildren(...parts);
    figure.dataset.state = empty ? 'empty' : 'ready';
    figure.dataset.rows = String(rows.length);
  } catch (error) {
    if (error instanceof Refused) {
      figure.dataset.state = 'refused';
      return signIn(error.message);
    }
    body.replaceChildren(
      Object.assign(document.createElement('p'), {
        className: 'state error',
        textContent: error.message,
      }),
    );
    figure.dataset.state = 'error';
  } finally {
    figure.removeAttribute('aria-busy');
  }
}

function render() {
  const name = location.hash.slice(1) in pages ? location.hash.slice(1) : 'revenue';
  const page = pages[name];
  document.title = `${page.title} · Aclue analytics`;
  $('#page-title').textContent = page.title;
  for (const link of document.querySelectorAll('nav a')) {
    link.toggleAttribute('aria-current', link.hash === `#${name}`);
    if (link.hash === `#${name}`) link.setAttribute('aria-current', 'page');
  }
  document.body.dataset.page = name;
  const figures = page.charts.map((chart) => {
    const figure = document.createElement('figure');
    figure.id = chart.id;
    const caption = document.createElement('figcaption');
    const button = Object.assign(document.createElement('button'), {
      type: 'button',
      textContent: 'Download CSV',
    });
    button.addEventListener('click', () => download(chart));
    caption.append(chart.title, button);
    figure.append(caption, Object.assign(document.createElement('div'), { className: 'body' }));
    return figure;
  });
  $('#charts').replaceChildren(...figures);
  return Promise.all(page.charts.map((chart, i) => renderChart(chart, figures[i])));
}

function signIn(message = '') {
  sessionStorage.removeItem(KEY);
  $('#app').hidden = true;
  $('#sign-in').hidden = false;
  $('#sign-in-error').textContent = message;
}

function open() {
  $('#sign-in').hidden = true;
  $('#app').hidden = false;
  return render();
}

function start() {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 24 * 3600 * 1000);
  const params = new URLSearchParams(location.search);
  $('#from').value = params.get('from') ?? day(from);
  $('#to').value = params.get('to') ?? day(to);
  $('#granularity').value = params.get('granularity') ?? 'day';
  $('#sign-in').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, $('#key').value.trim());
    $('#key').value = '';
    open();
  });
  $('#controls').addEventListener('submit', (event) => {
    event.preventDefault();
    render();
  });
  $('#sign-out').addEventListener('click', () => signIn());
  window.addEventListener('hashchange', () => sessionStorage.getItem(KEY) && render());
  if (sessionStorage.getItem(KEY)) open();
  else signIn();
}

// Plot and d3 are classic scripts (deferred); modules run after them.
start();
