// Team: who is in each queue the supervisor administers, adding and
// removing people (removing after a confirmation), and the recent changes.

import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { get, put, del, APIError } from './api.js';
import { subscribe } from './live.js';
import { dateTime } from './format.js';
import { confirm } from './confirm.js';

// AUDIT_SHOWN bounds the list of recent changes (the API gives 30 days).
const AUDIT_SHOWN = 50;
const ACTIONS = { 'queue.member.add': 'add', 'queue.member.remove': 'remove' };
const ROLES = [['agent', 'team.agents'], ['supervisor', 'team.supervisors']];

let root, user;
let parts = null;
// error and status are [key, vars], put in words at each redraw (in the
// language of the moment).
const view = { queues: null, users: [], audit: [], key: '', dirty: false, error: null, status: null, loadFailed: false, busy: false, pick: {}, focus: '' };
let loads = 0;

export function mount(el, me) {
  root = el;
  user = me;
  // A membership change (here, or by someone else) reaches the live stream
  // as a new wallboard snapshot: the lists follow it.
  subscribe((what) => { if (!root.hidden && what.has('snapshot')) load(); });
}

export function show() {
  render();
  load();
}

export function relabel() { parts = null; }

// load reads the lists and redraws them when they changed, or when force
// is set (a message to show; kept until a redraw, should a later load
// overtake this one). A redraw the data does not need could take a click
// from under the pointer.
async function load(force) {
  const n = ++loads;
  if (force) view.dirty = true;
  try {
    const [q, u, a] = await Promise.all([get('/v1/admin/queues'), get('/v1/admin/users'), get('/v1/admin/audit')]);
    if (n !== loads) return;
    const key = JSON.stringify([q, u, a]);
    if (key === view.key && !view.dirty && !view.loadFailed) return;
    view.key = key;
    view.queues = q.queues;
    view.users = u.users;
    view.audit = a.entries.filter((e) => ACTIONS[e.action]).reverse().slice(0, AUDIT_SHOWN);
    if (view.loadFailed) view.error = null;
    view.loadFailed = false;
  } catch (e) {
    if (n !== loads) return;
    view.error = e instanceof APIError ? ['team.loadFailed', { why: e.message }] : ['login.down'];
    view.status = null;
    view.loadFailed = true;
  }
  render();
}

// label names a person by display name when the server gave one.
function label(username) {
  const u = view.users.find((x) => x.username === username);
  if (u) return u.display_name || username;
  for (const q of view.queues || []) {
    const m = [...q.agents, ...q.supervisors].find((x) => x.username === username);
    if (m) return m.display_name || username;
  }
  return username;
}

// person shows a display name with the username beside it (once when
// they are the same).
function person(name, username) {
  return [h('span', { class: 'name' }, name || username), name && name !== username ? [' ', h('span', { class: 'muted' }, username)] : null];
}

// explain says what went wrong with a change and what to do about it.
function explain(e, queue, name) {
  if (!(e instanceof APIError)) return ['team.err.network'];
  switch (e.status) {
    case 401: return ['team.err.session'];
    case 403: return e.code === 'csrf' ? ['team.err.csrf'] : ['team.err.forbidden', { queue }];
    case 404: return ['team.err.notFound', { name, queue }];
    case 409: return ['team.err.conflict', { queue }];
    case 429: return ['team.err.limited'];
    default: return ['team.err.server', { status: e.status }];
  }
}

// change adds (PUT) or removes (DELETE) one person and reloads the lists,
// which also show what the server holds after a refusal.
async function change(method, queue, username, done) {
  if (view.busy) return;
  view.busy = true;
  // The last message is about the last change: it goes while this one runs.
  view.error = view.status = null;
  say(parts.error, null);
  say(parts.status, null);
  const name = label(username);
  const path = '/v1/admin/queues/' + encodeURIComponent(queue) + '/members/' + encodeURIComponent(username);
  let reload = true;
  try {
    await (method === 'PUT' ? put(path) : del(path));
    view.error = null;
    view.status = done;
    view.pick[queue] = '';
  } catch (e) {
    view.error = explain(e, queue, name);
    view.status = null;
    // Unreachable, or logged out (the page goes back to the login): a
    // reload would only hide the message.
    reload = e instanceof APIError && e.status !== 401;
  } finally {
    view.busy = false;
  }
  view.focus = 'add:' + queue;
  if (reload) await load(true);
  else render();
}

function add(q, sel) {
  const username = sel.value;
  if (!username) {
    view.error = ['team.pickFirst'];
    view.status = null;
    view.focus = 'add:' + q.name;
    render();
    return;
  }
  change('PUT', q.name, username, ['team.added', { name: label(username), queue: q.name }]);
}

// leavesMe: removing username from queue leaves them in none of the queues
// listed here, so off the supervisor's wallboard and lists.
function leavesMe(username, queue) {
  const u = view.users.find((x) => x.username === username);
  return !!u && !u.queues.some((q) => q !== queue && view.queues.some((x) => x.name === q));
}

async function remove(q, m) {
  if (view.busy) return;
  const name = m.display_name || m.username;
  const lines = [t('team.confirmText')];
  if (m.username === user.username) lines.push(t('team.confirmSelf'));
  else if (leavesMe(m.username, q.name)) lines.push(t('team.confirmLast', { name }));
  const yes = await confirm({ heading: t('team.confirmTitle', { name, queue: q.name }), lines, action: t('team.remove') });
  if (yes) {
    await change('DELETE', q.name, m.username, ['team.removed', { name, queue: q.name }]);
    return;
  }
  // The lists may have been redrawn meanwhile: back to this person's button.
  if (document.activeElement === document.body) {
    const el = root.querySelector(`[data-focus="${CSS.escape('rm:' + q.name + ':' + m.username)}"]`);
    if (el) el.focus();
  }
}

function members(q, role, key, list) {
  return h('div', { class: 'members', dataset: { role } },
    h('h3', {}, t(key), ' ', h('span', { class: 'badge' }, list.length)),
    list.length ? h('ul', {}, list.map((m) => h('li', { dataset: { user: m.username } },
      h('span', { class: 'who' }, person(m.display_name, m.username), m.username === user.username ? h('span', { class: 'tag' }, t('team.you')) : null),
      h('button', { type: 'button', class: 'secondary remove', dataset: { focus: 'rm:' + q.name + ':' + m.username },
        'aria-label': t('team.removeFrom', { name: m.display_name || m.username, queue: q.name }), onclick: () => remove(q, m) }, t('team.remove')))))
      : h('p', { class: 'muted' }, t('team.none')));
}

function addForm(q, i) {
  const inQueue = new Set([...q.agents, ...q.supervisors].map((m) => m.username));
  const free = view.users.filter((u) => !inQueue.has(u.username));
  if (!free.length) return h('p', { class: 'muted add-none' }, t('team.nobodyToAdd'));
  const id = 'team-add-' + i;
  const pick = view.pick[q.name] || '';
  const sel = h('select', { id, name: 'username', dataset: { focus: 'add:' + q.name }, onchange: (e) => { view.pick[q.name] = e.target.value; } },
    h('option', { value: '' }, t('team.pick')),
    ROLES.map(([role, key]) => {
      const us = free.filter((u) => u.role === role);
      return us.length ? h('optgroup', { label: t(key) },
        us.map((u) => h('option', { value: u.username, selected: pick === u.username },
          u.display_name && u.display_name !== u.username ? u.display_name + ' (' + u.username + ')' : u.username))) : null;
    }));
  return h('form', { class: 'add-member', onsubmit: (e) => { e.preventDefault(); add(q, sel); } },
    h('label', { for: id }, t('team.addTo', { queue: q.name })),
    h('div', { class: 'add-row' }, sel, h('button', { type: 'submit', dataset: { focus: 'addbtn:' + q.name } }, t('team.add'))));
}

function card(q, i) {
  const id = 'team-q-' + i;
  return h('section', { class: 'queue-card', 'aria-labelledby': id, dataset: { queue: q.name } },
    h('h2', { id, tabindex: -1, dataset: { focus: 'q:' + q.name } }, q.name),
    ROLES.map(([role, key]) => members(q, role, key, role === 'agent' ? q.agents : q.supervisors)),
    addForm(q, i));
}

function audit() {
  if (!view.audit.length) return h('p', { class: 'muted' }, t('team.auditNone'));
  return h('div', { class: 'table-wrap' }, h('table', { id: 'team-audit' },
    h('caption', { class: 'sr-only' }, t('team.audit')),
    h('thead', {}, h('tr', {}, ['team.when', 'team.by', 'team.change', 'team.person', 'team.queue'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, view.audit.map((e) => h('tr', { dataset: { action: ACTIONS[e.action], queue: e.queue, target: e.target } },
      h('td', {}, h('time', { datetime: e.at }, dateTime(e.at))), h('td', {}, person(label(e.actor), e.actor)),
      h('td', {}, t('team.act.' + ACTIONS[e.action])), h('td', {}, person(label(e.target), e.target)), h('td', {}, e.queue))))));
}

// The messages live in two regions built once, so a screen reader
// announces each new one; the lists below are redrawn.
function skeleton() {
  parts = { error: h('p', { class: 'error', id: 'team-error', role: 'alert' }), status: h('p', { class: 'notice', id: 'team-status', role: 'status' }),
    queues: h('div'), audit: h('div') };
  fill(root, h('h1', { tabindex: -1 }, t('team.title')), h('p', { class: 'muted intro' }, t('team.intro')),
    h('div', { class: 'team-msg' }, parts.error, parts.status), parts.queues,
    h('section', { class: 'team-audit', 'aria-labelledby': 'team-audit-title' },
      h('h2', { id: 'team-audit-title' }, t('team.audit')), h('p', { class: 'muted' }, t('team.auditHint')), parts.audit));
}

// say puts a message in its live region, untouched when it is the same (a
// screen reader would read it again at every redraw).
function say(el, m) {
  const text = m ? t(...m) : '';
  if (el.textContent !== text) el.textContent = text;
}

function render() {
  if (!root) return;
  if (!parts || !root.contains(parts.queues)) skeleton();
  view.dirty = false;
  const active = document.activeElement;
  const focus = view.focus || (active && root.contains(active) && active.dataset ? active.dataset.focus || '' : '');
  view.focus = '';
  say(parts.error, view.error);
  say(parts.status, view.status);
  if (!view.queues) fill(parts.queues, view.error ? h('button', { type: 'button', class: 'secondary', onclick: show }, t('team.retry')) : h('p', { class: 'muted' }, t('loading')));
  else if (!view.queues.length) fill(parts.queues, h('p', { class: 'empty' }, t('team.noQueues')));
  else fill(parts.queues, h('div', { class: 'team' }, view.queues.map(card)));
  fill(parts.audit, view.queues ? audit() : null);
  // Redrawing keeps the keyboard where it was; after a change it goes to
  // the queue's list of people to add, else to the queue's name (nobody
  // left to add), else to the page's title (the queue is no longer ours).
  if (focus) {
    const at = (key) => root.querySelector(`[data-focus="${CSS.escape(key)}"]`);
    const queue = focus.startsWith('add:') ? focus.slice(4) : '';
    const el = at(focus) || (queue ? at('q:' + queue) || root.querySelector('h1') : null);
    if (el && el !== document.activeElement) el.focus();
  }
}
