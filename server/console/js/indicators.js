// Indicators: per queue and per agent over a day or a range, sortable
// tables, simple charts, CSV export.

import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { get } from './api.js';
import { barChart } from './charts.js';
import { duration, num, today, stateName, checkName, dispositionName, dispositionsReady, dateTime, mosClass } from './format.js';

let root, user;
const view = { from: today(), to: today(), queue: '', sort: 'display_name', dir: 1, report: null, error: '' };

export function mount(el, me) { root = el; user = me; }

export async function show() {
  render();
  await load();
}

function query() {
  if (view.queue && !user.queues.includes(view.queue)) view.queue = ''; // no longer theirs
  const p = new URLSearchParams({ from: view.from, to: view.to });
  if (view.queue) p.set('queue', view.queue);
  return p.toString();
}

// loads counts the requests: only the newest one's answer is shown (an
// older, slower one must not overwrite the dates asked for last).
let loads = 0;

async function load() {
  const n = ++loads;
  let report = null, error = '';
  try {
    report = await get('/v1/indicators?' + query());
    await dispositionsReady();
  } catch (e) {
    error = e.message;
  }
  if (n !== loads) return;
  view.report = report;
  view.error = error;
  render();
}

const COLS = [
  ['display_name', 'ind.agent', (r) => r.display_name || r.queue, 'text'],
  ['calls_handled', 'ind.handled', (r) => r.calls_handled, 'int'],
  ['calls_missed', 'ind.missed', (r) => r.calls_missed, 'int'],
  ['avg_handle_seconds', 'ind.aht', (r) => r.avg_handle_seconds, 'dur'],
  ['talk_seconds', 'ind.talk', (r) => r.talk_seconds, 'dur'],
  ['wrap_up_seconds', 'ind.wrapup', (r) => r.wrap_up_seconds, 'dur'],
  ['avg_mos', 'ind.mos', (r) => r.avg_mos, 'mos'],
  ['precheck_failures', 'ind.pcfail', (r) => r.precheck_failures, 'int'],
];

const STATES = ['available', 'on_call', 'wrap_up', 'not_ready', 'break'];

function cellOf(kind, v) {
  switch (kind) {
    case 'dur': return duration(v);
    case 'mos': return v ? num(v, 2) : '—';
    case 'int': return num(v);
    default: return v;
  }
}

function table(rows, id, sortable, caption) {
  const sorted = [...rows];
  if (sortable) {
    const col = COLS.find((c) => c[0] === view.sort) || COLS[0];
    sorted.sort((a, b) => {
      const x = col[2](a), y = col[2](b);
      return (x < y ? -1 : x > y ? 1 : 0) * view.dir;
    });
  }
  const head = COLS.map(([k, label], i) => {
    const lbl = i === 0 && !sortable ? t('ind.queue') : t(label);
    if (!sortable) return h('th', { scope: 'col' }, lbl);
    const active = view.sort === k;
    return h('th', { scope: 'col', 'aria-sort': active ? (view.dir > 0 ? 'ascending' : 'descending') : 'none' },
      h('button', { type: 'button', class: 'sort', dataset: { sort: k }, onclick: () => {
        view.dir = view.sort === k ? -view.dir : 1;
        view.sort = k;
        render();
      } }, lbl, active ? (view.dir > 0 ? ' ▲' : ' ▼') : ''));
  });
  const stateHeads = STATES.map((st) => h('th', { scope: 'col' }, stateName(st)));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'ind', id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head, stateHeads, h('th', { scope: 'col' }, t('ind.dispositions')))),
    h('tbody', {}, sorted.map((r) => h('tr', { dataset: { key: r.username || r.queue } },
      COLS.map(([k, , get, kind], i) => i === 0
        ? h('th', { scope: 'row' }, r.agent_id ? h('a', { href: '#/agent/' + encodeURIComponent(r.agent_id) + '?day=' + view.to }, get(r)) : get(r))
        : h('td', { class: kind === 'mos' ? 'num mos ' + mosClass(r.avg_mos) : 'num', dataset: { col: k } }, cellOf(kind, get(r)))),
      STATES.map((st) => h('td', { class: 'num' }, duration(r.state_seconds[st] || 0))),
      h('td', {}, Object.entries(r.dispositions).map(([d, n]) => `${dispositionName(d)} ${n}`).join(', ') || '—'))))));
}

function charts(rep) {
  const agents = rep.agents;
  if (!agents.length) return null;
  const labels = agents.map((a) => a.display_name);
  const checks = {}, disps = {};
  for (const q of rep.queues) {
    for (const [k, v] of Object.entries(q.precheck_failures_by_check)) checks[k] = (checks[k] || 0) + v;
    for (const [k, v] of Object.entries(q.dispositions)) disps[k] = (disps[k] || 0) + v;
  }
  return h('div', { class: 'charts' },
    barChart({ id: 'chart-calls', title: t('ind.chart.calls'), labels, series: [
      { name: t('ind.handled'), values: agents.map((a) => a.calls_handled), cls: 'c-handled' },
      { name: t('ind.missed'), values: agents.map((a) => a.calls_missed), cls: 'c-missed' }] }),
    barChart({ id: 'chart-states', title: t('ind.chart.states'), labels, format: duration,
      series: STATES.map((st) => ({ name: stateName(st), values: agents.map((a) => a.state_seconds[st] || 0), cls: 'st-' + st })) }),
    barChart({ id: 'chart-mos', title: t('ind.chart.mos'), labels, format: (v) => num(v, 2),
      series: [{ name: 'MOS', values: agents.map((a) => a.avg_mos), cls: 'c-mos' }] }),
    Object.keys(checks).length ? barChart({ id: 'chart-checks', title: t('ind.chart.checks'), labels: Object.keys(checks).map(checkName),
      series: [{ name: t('ind.pcfail'), values: Object.values(checks), cls: 'c-missed' }] }) : null,
    Object.keys(disps).length ? barChart({ id: 'chart-disps', title: t('ind.chart.disps'), labels: Object.keys(disps).map(dispositionName),
      series: [{ name: t('ind.dispositions'), values: Object.values(disps), cls: 'c-handled' }] }) : null);
}

function worst(rep) {
  const calls = rep.queues.flatMap((q) => q.worst_calls);
  const seen = new Set();
  const list = calls.filter((c) => !seen.has(c.call_id) && seen.add(c.call_id)).sort((a, b) => a.mos - b.mos).slice(0, 5);
  if (!list.length) return null;
  return h('section', {}, h('h2', {}, t('ind.worst')), h('ol', { class: 'worst' }, list.map((c) =>
    h('li', {}, h('span', { class: 'mos ' + mosClass(c.mos) }, 'MOS ', num(c.mos, 2)), ' — ',
      h('a', { href: '#/agent/' + encodeURIComponent(c.agent_id) + '?day=' + c.started_at.slice(0, 10) }, c.username), ', ',
      dateTime(c.started_at), ', ', c.number, ' · ', t('wb.loss', { v: num(c.loss_pct, 1) }), ' · ', t('wb.jitter', { v: num(c.jitter_ms, 0) }),
      c.ticket_id ? [' · ', t('ind.ticket').toLowerCase(), ' ', c.ticket_id] : null))));
}

function render() {
  if (!root) return;
  const form = h('form', { class: 'filters', id: 'ind-form', onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    view.from = f.get('from');
    view.to = f.get('to') || view.from;
    view.queue = f.get('queue');
    load();
  } },
  h('label', {}, t('ind.from'), ' ', h('input', { type: 'date', name: 'from', id: 'ind-from', value: view.from, required: true })),
  h('label', {}, t('ind.to'), ' ', h('input', { type: 'date', name: 'to', id: 'ind-to', value: view.to })),
  h('label', {}, t('wb.queue'), ' ', h('select', { name: 'queue', id: 'ind-queue' }, h('option', { value: '' }, t('wb.allQueues')),
    user.queues.map((q) => h('option', { value: q, selected: view.queue === q }, q)))),
  h('button', { type: 'submit', id: 'ind-show' }, t('ind.show')),
  h('a', { class: 'button', id: 'ind-csv', href: '/v1/indicators.csv?' + query(), download: '' }, t('ind.csv')));
  const rep = view.report;
  fill(root, h('h1', {}, t('ind.title')), form,
    view.error ? h('p', { class: 'error', role: 'alert' }, view.error) : null,
    rep ? [
      table(rep.queues, 'ind-queues', false, t('ind.byQueue')),
      table(rep.agents, 'ind-agents', true, t('ind.byAgent')),
      charts(rep), worst(rep)] : h('p', { class: 'muted' }, t('loading')));
}
