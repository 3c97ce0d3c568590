// Messages: conversations with agents, broadcasts to a queue, help requests.

import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { post, uuid } from './api.js';
import { store, subscribe } from './live.js';
import { dateTime } from './format.js';

let root, user;
const view = { peer: '', error: '', read: new Set() };

export function mount(el, me) {
  root = el;
  user = me;
  subscribe((what) => {
    if (!root.hidden && (what.has('message') || what.has('help') || what.has('snapshot'))) render();
    updateBadge();
  });
}

export function show(peer) {
  view.peer = peer || view.peer;
  render();
}

// The conversation a message belongs to: "queue:NAME", or the agent.
function convOf(m) {
  if (m.queue) return 'queue:' + m.queue;
  return m.from === user.username ? m.to : m.from;
}

function conversations() {
  const convs = new Map();
  for (const a of store.agents.values()) convs.set(a.username, { key: a.username, label: a.display_name, last: '' });
  for (const q of user.queues) convs.set('queue:' + q, { key: 'queue:' + q, label: t('msg.queue', { q }), last: '' });
  for (const m of store.messages.values()) {
    const k = convOf(m);
    if (!k) continue;
    const c = convs.get(k) || { key: k, label: m.from === user.username ? (m.to_name || m.to) : m.from_name, last: '' };
    if (m.created_at > c.last) c.last = m.created_at;
    convs.set(k, c);
  }
  return [...convs.values()].sort((a, b) => (b.last > a.last ? 1 : b.last < a.last ? -1 : a.label.localeCompare(b.label)));
}

function unread() {
  let n = 0;
  for (const m of store.messages.values()) if (m.from !== user.username && !view.read.has(m.id)) n++;
  return n;
}

function updateBadge() {
  const b = document.getElementById('unread');
  if (!b) return;
  const n = unread();
  b.hidden = n === 0;
  b.textContent = String(n);
  b.setAttribute('aria-label', t('msg.unread', { n }));
}

async function send(e) {
  e.preventDefault();
  const f = new FormData(e.target);
  const body = String(f.get('body') || '').trim();
  if (!body || !view.peer) return;
  const msg = { id: uuid(), body, sent_at: new Date().toISOString() };
  if (view.peer.startsWith('queue:')) msg.queue = view.peer.slice(6);
  else msg.to = view.peer;
  try {
    await post('/v1/messages', msg, msg.id);
    e.target.reset();
    view.error = '';
  } catch (err) {
    view.error = err.message;
    render();
  }
}

// The compose form is built once per conversation; live changes redraw
// the lists only, so a supervisor typing never loses the text.
let parts = null;

function labelOf(convs) {
  return (convs.find((c) => c.key === view.peer) || {}).label || view.peer;
}

function skeleton(convs) {
  const peerLabel = labelOf(convs);
  parts = { peer: view.peer, label: peerLabel, convs: h('div'), thread: h('div'), error: h('p', { class: 'error', role: 'alert' }) };
  const body = h('textarea', { id: 'msg-body', name: 'body', rows: 3, maxlength: 4000, required: true });
  fill(root, h('h1', {}, t('msg.title')), h('div', { class: 'messages' },
    h('nav', { 'aria-label': t('msg.conversations') }, parts.convs),
    view.peer ? h('section', { class: 'thread', 'aria-label': peerLabel },
      h('h2', {}, peerLabel), parts.thread,
      h('form', { class: 'compose', id: 'msg-form', onsubmit: send },
        h('label', { for: 'msg-body' }, view.peer.startsWith('queue:') ? t('msg.toQueue', { q: view.peer.slice(6) }) : t('msg.to', { who: peerLabel })),
        body, h('button', { type: 'submit', id: 'msg-send' }, t('msg.send')), parts.error))
      : h('p', { class: 'muted' }, t('msg.pick'))));
}

export function relabel() { parts = null; }

function render() {
  if (!root) return;
  const convs = conversations();
  if (!parts || parts.peer !== view.peer || parts.label !== labelOf(convs) || !root.contains(parts.convs)) {
    // Keep what was typed when the names arrive after the page.
    const typed = parts && parts.peer === view.peer ? (root.querySelector('#msg-body') || {}).value : '';
    skeleton(convs);
    if (typed) root.querySelector('#msg-body').value = typed;
  }
  fill(parts.convs, h('ul', { class: 'convs', id: 'msg-convs' }, convs.map((c) => h('li', {},
    h('a', { href: '#/messages/' + encodeURIComponent(c.key), 'aria-current': c.key === view.peer ? 'true' : false }, c.label)))));
  const thread = [...store.messages.values()].filter((m) => convOf(m) === view.peer).sort((a, b) => a.seq - b.seq);
  for (const m of thread) view.read.add(m.id);
  fill(parts.thread, h('ol', { class: 'bubbles', id: 'msg-thread', 'aria-live': 'polite' }, thread.map((m) => h('li', { class: (m.from === user.username ? 'mine' : 'theirs') + (m.kind === 'help' ? ' help' : ''), dataset: { id: m.id } },
    h('div', { class: 'meta' }, m.kind === 'help' ? t('wb.help') + ' · ' : '', m.from_name, ' · ', dateTime(m.created_at),
      m.taken_by ? ' · ' + t('msg.takenBy', { who: m.taken_by_name }) : '', m.cancelled_at ? ' · ' + t('msg.cancelled') : ''),
    h('div', { class: 'body' }, m.body || t('wb.noNote'))))));
  fill(parts.error, view.error);
  updateBadge();
}
