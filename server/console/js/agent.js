// Drill-down: one agent's day: states, calls with quality and ticket,
// pre-shift reports with their figures, listening sessions.

import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { get } from './api.js';
import { timeline } from './charts.js';
import { duration, time, num, stateName, checkName, dispositionName, dispositionsReady, today, mosClass } from './format.js';

let root;
const view = { id: '', day: today(), data: null, error: '' };

export function mount(el) { root = el; }

// shows counts the requests: only the newest one's answer is shown.
let shows = 0;

export async function show(id, day) {
  const n = ++shows;
  view.id = id;
  view.day = day || today();
  view.data = null;
  render();
  let data = null, error = '';
  try {
    data = await get('/v1/agents/' + encodeURIComponent(id) + '/timeline?day=' + view.day);
    await dispositionsReady();
  } catch (e) {
    error = e.status === 404 ? t('ag.notYours') : e.message;
  }
  if (n !== shows) return;
  view.data = data;
  view.error = error;
  render();
}

function figures(f) {
  if (!f) return null;
  return h('dl', { class: 'figures' }, Object.entries(f).flatMap(([k, v]) =>
    [h('dt', {}, k), h('dd', {}, typeof v === 'number' ? num(v, Number.isInteger(v) ? 0 : 1) : typeof v === 'object' ? JSON.stringify(v) : String(v))]));
}

function prechecks(list) {
  if (!list.length) return h('p', { class: 'muted' }, t('ag.noCheck'));
  return list.map((p) => h('article', { class: 'report' + (p.passed ? '' : ' failed') },
    h('h3', { class: p.passed ? 'ok' : 'bad' }, (p.passed ? '✓ ' : '✗ ') + (p.passed ? t('wb.checkPassed') : t('wb.checkFailed')), ' ', h('span', { class: 'muted' }, time(p.at))),
    p.override ? h('p', {}, t('wb.override'), ' ', h('q', {}, p.override)) : null,
    h('table', { class: 'checks' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('ag.check')), h('th', { scope: 'col' }, t('ag.verdict')),
      h('th', { scope: 'col' }, t('ag.findings')), h('th', { scope: 'col' }, t('ag.figures')))),
    h('tbody', {}, p.checks.map((c) => h('tr', { class: 'v-' + c.verdict }, h('th', { scope: 'row' }, checkName(c.name)), h('td', {}, t('verdict.' + c.verdict)),
      h('td', {}, (c.findings || []).join(' ')), h('td', {}, figures(c.figures))))))));
}

function calls(list) {
  if (!list.length) return h('p', { class: 'muted' }, t('ag.noCalls'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'calls', id: 'ag-calls' },
    h('thead', {}, h('tr', {}, ['ag.time', 'ag.direction', 'ag.number', 'ag.talk', 'ag.disposition', 'wb.quality', 'ind.ticket']
      .map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, list.map((c) => h('tr', { dataset: { call: c.call_id } },
      h('td', {}, time(c.started_at)),
      h('td', {}, c.direction === 'inbound' ? t('wb.in') : t('wb.out')),
      h('td', {}, c.number),
      h('td', { class: 'num' }, c.answered_at ? duration(c.talk_seconds) : t('ag.missed')),
      h('td', {}, c.disposition ? dispositionName(c.disposition) : '—', c.note ? h('div', { class: 'muted' }, c.note) : null),
      h('td', {}, c.quality.mos ? [h('span', { class: 'mos ' + mosClass(c.quality.mos) }, 'MOS ', num(c.quality.mos, 2)), ' · ',
        t('wb.loss', { v: num(c.quality.loss_pct, 1) }), ' · ', t('wb.jitter', { v: num(c.quality.jitter_ms, 0) }), ' · ', c.quality.codec] : '—'),
      h('td', {}, c.ticket_id || '—'))))));
}

function render() {
  if (!root) return;
  const d = view.data;
  const dayForm = h('form', { class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    location.hash = '#/agent/' + encodeURIComponent(view.id) + '?day=' + new FormData(e.target).get('day');
  } }, h('label', {}, t('ag.day'), ' ', h('input', { type: 'date', name: 'day', id: 'ag-day', value: view.day })),
  h('button', { type: 'submit' }, t('ind.show')));
  const title = d ? d.agent.display_name : t('ag.title');
  const parts = [h('p', {}, h('a', { href: '#/wallboard' }, '← ', t('nav.wallboard'))), h('h1', { id: 'ag-title' }, title), dayForm];
  if (view.error) parts.push(h('p', { class: 'error', role: 'alert' }, view.error));
  if (d) {
    const from = Date.parse(view.day + 'T00:00:00Z');
    let lo = from + 24 * 3600e3, hi = from;
    for (const sg of d.segments) { lo = Math.min(lo, Date.parse(sg.from)); hi = Math.max(hi, Date.parse(sg.to)); }
    for (const c of d.calls) { lo = Math.min(lo, Date.parse(c.started_at)); hi = Math.max(hi, Date.parse(c.ended_at)); }
    if (hi <= lo) { lo = from + 8 * 3600e3; hi = from + 18 * 3600e3; }
    const pad = (hi - lo) * 0.03 + 60e3;
    const total = {};
    for (const sg of d.segments) total[sg.state] = (total[sg.state] || 0) + (Date.parse(sg.to) - Date.parse(sg.from)) / 1000;
    parts.push(
      h('section', {}, h('h2', {}, t('ag.timeline')),
        timeline({ id: 'ag-timeline', title: t('ag.timelineOf', { name: d.agent.display_name }), segments: d.segments, calls: d.calls,
          prechecks: d.prechecks, from: lo - pad, to: hi + pad, stateLabel: stateName }),
        h('ul', { class: 'legend' }, Object.entries(total).map(([st, sec]) => h('li', {}, h('span', { class: 'swatch st-' + st }), ' ', stateName(st), ' ', duration(sec))))),
      h('section', {}, h('h2', {}, t('ag.shifts')), d.shifts.length ? h('ul', {}, d.shifts.map((s) => h('li', {},
        time(s.clock_in), ' – ', s.clock_out ? time(s.clock_out) : t('ag.open'), ' · ', t(s.calls === 1 ? 'ag.calls1' : 'ag.callsN', { n: s.calls }), ' · ',
        t('ind.talk'), ' ', duration(s.talk_seconds), ' · ', t('ind.wrapup'), ' ', duration(s.wrap_up_seconds)))) : h('p', { class: 'muted' }, t('ag.noShift'))),
      h('section', {}, h('h2', {}, t('ag.calls')), calls(d.calls)),
      h('section', {}, h('h2', {}, t('ag.prechecks')), prechecks(d.prechecks)),
      h('section', {}, h('h2', {}, t('ag.sessions')), d.sessions.length ? h('ul', {}, d.sessions.map((m) => h('li', {},
        time(m.started_at), ' – ', m.ended_at ? time(m.ended_at) : t('ag.open'), ' · ', m.supervisor, ' · ',
        m.modes.map((x) => t('mode.' + x.mode)).join(' → ')))) : h('p', { class: 'muted' }, t('ag.noSessions'))));
  }
  fill(root, ...parts);
}
