// The wallboard: every agent of the supervisor's queues, live.

import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { store, subscribe } from './live.js';
import { post } from './api.js';
import { duration, since, time, num, stateName, reasonName, checkName, mosClass } from './format.js';

const STATES = ['available', 'on_call', 'wrap_up', 'not_ready', 'break', 'offline'];
const ORDER = { on_call: 0, wrap_up: 1, available: 2, not_ready: 3, break: 4, checking: 5, offline: 6 };

let root;
let user;
const view = { queue: '', state: '', sort: 'name', dir: 1 };

export function mount(el, me) {
  root = el;
  user = me;
  subscribe(() => { if (!root.hidden) render(); });
  // Times in state and call durations advance every second (a local clock,
  // nothing is fetched).
  setInterval(tick, 1000);
}

export function show() { render(); }

function tick() {
  if (!root || root.hidden) return;
  const now = Date.now();
  for (const el of root.querySelectorAll('[data-since]')) el.textContent = since(el.dataset.since, now);
}

// helpBy maps usernames to their open help request, rebuilt per redraw.
let helpBy = new Map();

function indexHelp() {
  helpBy = new Map();
  for (const m of store.help.values()) helpBy.set(m.from, m);
}

function helpFor(agentID) {
  const a = store.agents.get(agentID);
  return (a && helpBy.get(a.username)) || null;
}

// lineDown: on shift, but the phone line is not registered (reconnecting,
// refused, off): calls do not reach the agent whatever the state says.
function lineDown(a) {
  return a.state !== 'offline' && !!a.line && a.line.state !== 'registered';
}

function rows() {
  indexHelp();
  let list = [...store.agents.values()];
  if (view.queue) list = list.filter((a) => a.queues.includes(view.queue));
  if (view.state === 'help') list = list.filter((a) => helpFor(a.agent_id));
  else if (view.state === 'disconnected') list = list.filter((a) => !a.connected);
  else if (view.state === 'line') list = list.filter(lineDown);
  else if (view.state) list = list.filter((a) => a.state === view.state);
  const key = {
    name: (a) => a.display_name.toLowerCase(),
    state: (a) => (ORDER[a.state] ?? 9) * 1e12 + (a.state_since ? Date.parse(a.state_since) : 0),
    time: (a) => (a.state_since ? -Date.parse(a.state_since) : -Infinity),
    mos: (a) => (a.call && a.call.quality ? a.call.quality.mos : 99),
    queue: (a) => a.queues.join(','),
  }[view.sort];
  list.sort((x, y) => {
    // An agent asking for help always comes first.
    const hx = helpFor(x.agent_id) ? 0 : 1, hy = helpFor(y.agent_id) ? 0 : 1;
    if (hx !== hy) return hx - hy;
    const kx = key(x), ky = key(y);
    return (kx < ky ? -1 : kx > ky ? 1 : 0) * view.dir;
  });
  return list;
}

function sortButton(k, label) {
  const active = view.sort === k;
  return h('th', { scope: 'col', 'aria-sort': active ? (view.dir > 0 ? 'ascending' : 'descending') : 'none' },
    h('button', { type: 'button', class: 'sort', dataset: { sort: k }, onclick: () => {
      view.dir = view.sort === k ? -view.dir : 1;
      view.sort = k;
      render();
    } }, label, active ? (view.dir > 0 ? ' ▲' : ' ▼') : ''));
}

function filters() {
  const queue = h('select', { id: 'wb-queue', onchange: (e) => { view.queue = e.target.value; render(); } },
    h('option', { value: '' }, t('wb.allQueues')), user.queues.map((q) => h('option', { value: q, selected: view.queue === q }, q)));
  const state = h('select', { id: 'wb-state', onchange: (e) => { view.state = e.target.value; render(); } },
    h('option', { value: '' }, t('wb.allStates')),
    STATES.map((s) => h('option', { value: s, selected: view.state === s }, stateName(s))),
    h('option', { value: 'help', selected: view.state === 'help' }, t('wb.askingHelp')),
    h('option', { value: 'disconnected', selected: view.state === 'disconnected' }, t('wb.notConnected')),
    h('option', { value: 'line', selected: view.state === 'line' }, t('wb.lineDown')));
  const sort = h('select', { id: 'wb-sort', onchange: (e) => { view.sort = e.target.value; view.dir = 1; render(); } },
    ['name', 'state', 'time', 'mos', 'queue'].map((k) => h('option', { value: k, selected: view.sort === k }, t('wb.sort.' + k))));
  return h('div', { class: 'filters' },
    h('label', {}, t('wb.queue'), ' ', queue),
    h('label', {}, t('wb.state'), ' ', state),
    h('label', {}, t('wb.sortBy'), ' ', sort));
}

function tiles() {
  const count = {};
  for (const a of store.agents.values()) count[a.state] = (count[a.state] || 0) + 1;
  const off = [...store.agents.values()].filter((a) => !a.connected).length;
  const down = [...store.agents.values()].filter(lineDown).length;
  return h('ul', { class: 'tiles', 'aria-label': t('wb.summary') },
    STATES.map((s) => h('li', { class: 'tile st-' + s }, h('span', { class: 'n', id: 'count-' + s }, count[s] || 0), ' ', stateName(s))),
    h('li', { class: 'tile help' + (store.help.size ? ' alert' : '') }, h('span', { class: 'n', id: 'count-help' }, store.help.size), ' ', t('wb.help')),
    h('li', { class: 'tile' }, h('span', { class: 'n' }, off), ' ', t('wb.notConnected')),
    h('li', { class: 'tile tile-line' + (down ? ' alert' : '') }, h('span', { class: 'n', id: 'count-line' }, down), ' ', t('wb.lineDown')));
}

async function take(m, button) {
  button.disabled = true;
  try {
    await post('/v1/help/' + encodeURIComponent(m.id) + '/take');
  } catch (e) {
    button.disabled = false;
    alertLine(e.message);
  }
}

function alertLine(text) {
  const el = root.querySelector('.wb-error');
  if (el) el.textContent = text;
}

function helpBanner() {
  if (!store.help.size) return null;
  return h('section', { class: 'help-banner', 'aria-label': t('wb.helpRequests') },
    h('h2', {}, t('wb.helpRequests')),
    h('ul', {}, [...store.help.values()].map((m) => {
      const btn = h('button', { type: 'button', class: 'take', dataset: { help: m.id } }, t('wb.take'));
      btn.addEventListener('click', () => take(m, btn));
      return h('li', { class: 'help-item' }, h('strong', {}, m.from_name), ' — ', m.body || t('wb.noNote'), ' ',
        h('span', { class: 'muted' }, time(m.created_at)), ' ', btn);
    })));
}

function direction(c) {
  const dir = c.direction === 'inbound' ? t('wb.in') : t('wb.out');
  return h('span', { class: 'dir', title: dir, 'aria-label': dir }, c.direction === 'inbound' ? '↓' : '↑');
}

// callCell shows the call the agent is in and, below it, a call waiting
// (a second call ringing meanwhile), never one in place of the other.
function callCell(a) {
  const c = a.call, w = a.waiting;
  if (!c && !w) return h('td', { class: 'call' }, '—');
  return h('td', { class: 'call' },
    c ? h('div', { class: 'current' }, direction(c), ' ',
      h('span', { class: 'number' }, c.number), ' ',
      c.answered_at ? h('span', { class: 'dur', dataset: { since: c.answered_at } }, since(c.answered_at))
        : h('span', { class: 'muted' }, t('wb.ringing')),
      c.on_hold ? h('span', { class: 'tag' }, t('wb.hold')) : null) : null,
    w ? h('div', { class: 'waiting' }, h('span', { class: 'tag waiting-tag' }, t('wb.callWaiting')), ' ', direction(w), ' ',
      h('span', { class: 'number' }, w.number), ' ', h('span', { class: 'muted' }, t('wb.ringing'), ' '),
      h('span', { class: 'dur', dataset: { since: w.started_at } }, since(w.started_at))) : null);
}

// lineNote says, under the state, that the phone line is down and since when.
function lineNote(a) {
  if (!lineDown(a)) return null;
  const l = a.line;
  return h('div', { class: 'line-note line-' + l.state, title: l.detail || '' }, '⚠ ', t('wb.line.' + l.state),
    l.since ? [' ', h('span', { class: 'dur', dataset: { since: l.since } }, since(l.since))] : null,
    l.detail ? h('span', { class: 'sr-only' }, ' — ' + l.detail) : null);
}

function qualityCell(a) {
  const q = a.call && a.call.quality;
  if (!q) return h('td', { class: 'quality' }, '—');
  return h('td', { class: 'quality' },
    h('span', { class: 'mos ' + mosClass(q.mos), title: 'MOS' }, 'MOS ', num(q.mos, 1)), ' ',
    h('span', { class: 'muted' }, t('wb.loss', { v: num(q.loss_pct, 1) }), ' · ', t('wb.jitter', { v: num(q.jitter_ms, 0) })));
}

function precheckCell(a) {
  const p = a.precheck;
  if (!p) return h('td', { class: 'precheck' }, h('span', { class: 'muted' }, t('wb.noCheck')));
  const failed = p.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'error');
  const label = p.passed ? t('wb.checkPassed') : t('wb.checkFailed');
  const details = h('details', {}, h('summary', { class: p.passed ? 'ok' : 'bad' }, (p.passed ? '✓ ' : '✗ ') + label, ' ',
    h('span', { class: 'muted' }, time(p.at))),
  h('ul', { class: 'checks' }, p.checks.map((c) => h('li', {}, h('strong', {}, checkName(c.name)), ' (', t('verdict.' + c.verdict), ')',
    c.findings && c.findings.length ? ': ' + c.findings.join(' ') : ''))),
  p.override ? h('p', {}, t('wb.override'), ' ', h('q', {}, p.override)) : null);
  return h('td', { class: 'precheck' }, details, failed.length ? h('div', { class: 'failed-checks' }, failed.map((c) => checkName(c.name)).join(', ')) : null);
}

function row(a) {
  const help = helpFor(a.agent_id);
  const cls = ['agent', 'st-' + a.state, help ? 'asking-help' : '', a.connected ? '' : 'disconnected', lineDown(a) ? 'line-down' : ''].join(' ');
  return h('tr', { class: cls, dataset: { agent: a.username, state: a.state, line: a.line && a.state !== 'offline' ? a.line.state : '' } },
    h('th', { scope: 'row' }, h('a', { href: '#/agent/' + encodeURIComponent(a.agent_id) }, a.display_name), ' ',
      h('span', { class: 'muted' }, a.username), help ? h('span', { class: 'tag help-tag' }, t('wb.help')) : null,
      a.monitor ? h('span', { class: 'tag' }, t('wb.monitoring', { who: a.monitor.supervisor, mode: t('mode.' + a.monitor.mode) })) : null),
    h('td', {}, a.queues.join(', ')),
    h('td', { class: 'state' }, h('span', { class: 'badge st-' + a.state }, stateName(a.state)), a.reason ? h('span', { class: 'reason' }, ' ' + reasonName(a.reason)) : null,
      lineNote(a)),
    h('td', { class: 'since' }, a.state_since && a.state !== 'offline' ? h('span', { dataset: { since: a.state_since } }, since(a.state_since)) : '—'),
    callCell(a), qualityCell(a), precheckCell(a),
    h('td', { class: 'conn' }, a.connected ? h('span', { class: 'ok' }, t('wb.connected'))
      : h('span', { class: 'bad' }, t('wb.notConnected'), a.last_seen ? h('span', { class: 'muted' }, ' ' + t('wb.lastSeen', { t: time(a.last_seen) })) : null)),
    h('td', { class: 'actions' },
      h('a', { href: '#/messages/' + encodeURIComponent(a.username), class: 'button' }, t('wb.message')),
      help ? (() => { const b = h('button', { type: 'button', class: 'take', dataset: { help: help.id } }, t('wb.take')); b.addEventListener('click', () => take(help, b)); return b; })() : null));
}

// The page is built once; live changes redraw the tiles and the help
// banner, and only the rows whose agent changed (rows keep their place in
// the table unless the order changed), so 200 agents changing state every
// few seconds stay cheap and the filters keep their state.
let parts = null;
const rowCache = new Map(); // agent_id -> { key, tr }

function skeleton() {
  parts = { tiles: h('div'), banner: h('div'), table: h('div'), tbody: null, head: '', filters: filters(), queues: user.queues.join('\n') };
  rowCache.clear();
  fill(root, h('h1', {}, t('wb.title')), parts.tiles, parts.banner, parts.filters,
    h('p', { class: 'wb-error', role: 'alert' }), parts.table);
}

// followQueues rebuilds the filters when the supervisor's own queues
// changed (a membership change while the page is open).
function followQueues() {
  if (view.queue && !user.queues.includes(view.queue)) view.queue = ''; // no longer theirs
  const key = user.queues.join('\n');
  if (parts.queues === key) return;
  const f = filters();
  parts.filters.replaceWith(f);
  parts.filters = f;
  parts.queues = key;
}

export function relabel() { parts = null; }

function header() {
  return h('thead', {}, h('tr', {}, sortButton('name', t('wb.agent')), sortButton('queue', t('wb.queues')), sortButton('state', t('wb.state')),
    sortButton('time', t('wb.inState')), h('th', { scope: 'col' }, t('wb.call')), sortButton('mos', t('wb.quality')),
    h('th', { scope: 'col' }, t('wb.precheck')), h('th', { scope: 'col' }, t('wb.connection')), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('wb.actions')))));
}

function rowFor(a) {
  const help = helpFor(a.agent_id);
  const key = (store.versions.get(a.agent_id) || 0) + '|' + (help ? help.id : '');
  const cached = rowCache.get(a.agent_id);
  if (cached && cached.key === key) return cached.tr;
  const tr = row(a);
  if (cached) {
    // A details box the supervisor opened stays open.
    const open = cached.tr.querySelector('details[open]');
    if (open) { const d = tr.querySelector('details'); if (d) d.open = true; }
  }
  rowCache.set(a.agent_id, { key, tr });
  return tr;
}

function render() {
  if (!parts || !root.contains(parts.table)) skeleton();
  followQueues();
  const list = rows();
  const active = document.activeElement;
  const sortFocus = active && root.contains(active) && active.dataset ? active.dataset.sort : '';
  fill(parts.tiles, tiles());
  fill(parts.banner, helpBanner());
  const headKey = view.sort + view.dir;
  if (!list.length) {
    parts.tbody = null;
    fill(parts.table, h('p', { class: 'empty' }, t('wb.empty')));
    return;
  }
  if (!parts.tbody || parts.head !== headKey) {
    parts.tbody = h('tbody');
    parts.head = headKey;
    fill(parts.table, h('div', { class: 'table-wrap' }, h('table', { class: 'board', id: 'wallboard' },
      h('caption', { class: 'sr-only' }, t('wb.title')), header(), parts.tbody)));
  }
  const want = list.map(rowFor);
  const tb = parts.tbody;
  want.forEach((tr, i) => {
    if (tb.children[i] !== tr) tb.insertBefore(tr, tb.children[i] || null);
  });
  while (tb.children.length > want.length) tb.lastChild.remove();
  const seen = new Set(list.map((a) => a.agent_id));
  for (const id of rowCache.keys()) if (!seen.has(id) && !store.agents.has(id)) rowCache.delete(id);
  // Redrawing keeps the keyboard where it was.
  if (sortFocus) { const el = root.querySelector(`[data-sort="${CSS.escape(sortFocus)}"]`); if (el) el.focus(); }
}
