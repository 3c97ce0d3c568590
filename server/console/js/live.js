// The live store: the wallboard and the messages, fed by one EventSource on
// /v1/live/stream (server-sent events; the browser resumes it with
// Last-Event-ID after a cut). No polling: the server pushes every change.

import { get } from './api.js';

export const store = {
  agents: new Map(), // agent_id -> AgentLive
  versions: new Map(), // agent_id -> number, bumped on every change of the agent
  help: new Map(), // message id -> open help request
  messages: new Map(), // message id -> Message
  status: 'connecting', // connecting | live | lost
  at: 0, // server time of the snapshot, ms
};

const listeners = new Set();
let es = null;
let pending = null; // kinds changed since the last frame

export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// REDRAW_EVERY bounds how often the views redraw: a burst of events (200
// agents changing state) is one redraw, at most ten a second.
const REDRAW_EVERY = 100;

// changed tells the views once per REDRAW_EVERY, whatever the burst of
// events, with the set of kinds that changed.
function changed(what) {
  if (pending) {
    pending.add(what);
    return;
  }
  pending = new Set([what]);
  setTimeout(() => {
    const kinds = pending;
    pending = null;
    for (const fn of listeners) fn(kinds);
  }, REDRAW_EVERY);
}

function bump(id) {
  store.versions.set(id, (store.versions.get(id) || 0) + 1);
}

// HELP_SHOWN matches the server: an untaken help request older than this
// is no longer on the wallboard.
const HELP_SHOWN = 12 * 3600 * 1000;

function putMessage(m) {
  store.messages.set(m.id, m);
  if (m.kind === 'help') {
    if (m.taken_by || m.cancelled_at || Date.now() - Date.parse(m.created_at) > HELP_SHOWN) store.help.delete(m.id);
    else store.help.set(m.id, m);
  }
}

export function connect() {
  disconnect();
  store.status = 'connecting';
  es = new EventSource('/v1/live/stream');
  es.addEventListener('open', () => { store.status = 'live'; changed('status'); });
  es.addEventListener('error', () => {
    store.status = es && es.readyState === EventSource.CLOSED ? 'lost' : 'connecting';
    changed('status');
    if (es && es.readyState === EventSource.CLOSED) {
      // The session may have ended meanwhile: a new stream after a moment
      // (the page renews its session on its own schedule).
      setTimeout(() => { if (es && es.readyState === EventSource.CLOSED) connect(); }, 3000);
    }
  });
  es.addEventListener('snapshot', (ev) => {
    const b = JSON.parse(ev.data);
    store.agents = new Map(b.agents.map((a) => [a.agent_id, a]));
    for (const a of b.agents) bump(a.agent_id);
    store.help = new Map();
    for (const m of b.help) putMessage(m);
    store.at = Date.parse(b.at);
    store.status = 'live';
    changed('snapshot');
  });
  es.addEventListener('agent', (ev) => {
    const e = JSON.parse(ev.data);
    store.agents.set(e.agent.agent_id, e.agent);
    bump(e.agent.agent_id);
    changed('agent');
  });
  for (const kind of ['help', 'message']) {
    es.addEventListener(kind, (ev) => {
      putMessage(JSON.parse(ev.data).message);
      changed(kind);
    });
  }
  es.addEventListener('reauth', () => { /* the browser reconnects with the renewed cookie */ });
}

export function disconnect() {
  if (es) es.close();
  es = null;
  store.agents.clear();
  store.help.clear();
  store.messages.clear();
}

// loadMessages reads the whole message history visible to the supervisor.
export async function loadMessages() {
  let cursor = '0';
  for (;;) {
    const page = await get('/v1/messages?limit=500&cursor=' + encodeURIComponent(cursor));
    for (const m of page.messages) putMessage(m);
    cursor = page.next_cursor;
    if (!page.more) break;
  }
  changed('message');
}
