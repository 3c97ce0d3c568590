// The console's entry point: session, language, routes.

import { $ } from './dom.js';
import { t, setLang, initialLang, lang } from './i18n.js';
import * as api from './api.js';
import { loadDispositions } from './format.js';
import * as live from './live.js';
import * as wallboard from './wallboard.js';
import * as indicators from './indicators.js';
import * as agent from './agent.js';
import * as messages from './messages.js';
import * as team from './team.js';

const views = ['login', 'wallboard', 'indicators', 'agent', 'messages', 'team'];
let me = null;
let mounted = false;

function showView(name) {
  for (const v of views) $('#view-' + v).hidden = v !== name;
  $('#top').hidden = name === 'login';
  for (const a of document.querySelectorAll('nav a')) {
    if (a.id === 'nav-' + name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function route(focus = true) {
  if (!me) {
    showView('login');
    $('#login-user').focus();
    return;
  }
  const [path, query] = (location.hash.slice(1) || '/wallboard').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query || '');
  switch (parts[0]) {
    case 'indicators': showView('indicators'); indicators.show(); break;
    case 'agent': showView('agent'); agent.show(parts[1], params.get('day')); break;
    case 'messages': showView('messages'); messages.show(parts[1]); break;
    case 'team': showView('team'); team.show(); break;
    default: showView('wallboard'); wallboard.show();
  }
  if (focus) $('#main').focus({ preventScroll: true });
}

// followQueues keeps the supervisor's own queues (the queue lists of the
// wallboard, the indicators and the messages) in step with membership
// changes made while the page is open: the live stream sends a new
// snapshot on each, and /v1/me says which queues are theirs now.
let queuesAsked = 0;
async function followQueues(kinds) {
  if (!me || !kinds.has('snapshot')) return;
  const ask = ++queuesAsked;
  let now;
  try {
    now = await api.get('/v1/me');
  } catch {
    return; // the next snapshot asks again
  }
  const queues = now.queues || [];
  if (ask !== queuesAsked || !me || queues.join('\n') === me.queues.join('\n')) return;
  me.queues = queues;
  route(false);
}

function liveStatus() {
  const el = $('#live-state');
  el.textContent = t('live.' + live.store.status);
  el.className = 'live ' + live.store.status;
}

async function start(session) {
  me = session.user;
  $('#who').textContent = me.display_name;
  if (!mounted) {
    wallboard.mount($('#view-wallboard'), me);
    indicators.mount($('#view-indicators'), me);
    agent.mount($('#view-agent'));
    messages.mount($('#view-messages'), me);
    team.mount($('#view-team'), me);
    live.subscribe(liveStatus);
    live.subscribe(followQueues);
    mounted = true;
  }
  live.connect();
  live.loadMessages().catch(() => {});
  loadDispositions(() => api.get('/v1/dispositions').then((r) => r.dispositions));
  route();
}

// loggedOut starts the page afresh: nothing of the last supervisor's data
// stays in memory for the next one.
function loggedOut() {
  me = null;
  live.disconnect();
  history.replaceState(null, '', '/console/');
  location.reload();
}

async function onLogin(e) {
  e.preventDefault();
  const err = $('#login-error');
  err.textContent = '';
  const btn = $('#login-submit');
  btn.disabled = true;
  try {
    const s = await api.login($('#login-user').value.trim(), $('#login-pass').value);
    $('#login-pass').value = '';
    await start(s);
  } catch (x) {
    const key = !(x instanceof api.APIError) ? 'login.down'
      : x.status === 403 ? 'login.agent' : x.status === 429 ? 'login.limited' : x.status === 401 ? 'login.bad' : '';
    err.textContent = key ? t(key) : x.message;
  } finally {
    btn.disabled = false;
  }
}

function changeLang(l) {
  setLang(l);
  wallboard.relabel();
  messages.relabel();
  team.relabel();
  liveStatus();
  $('#lang').value = lang();
  $('#lang-login').value = lang();
  if (me) route();
}

async function boot() {
  changeLang(initialLang());
  $('#lang').addEventListener('change', (e) => changeLang(e.target.value));
  $('#lang-login').addEventListener('change', (e) => changeLang(e.target.value));
  $('#login-form').addEventListener('submit', onLogin);
  $('#logout').addEventListener('click', async () => { await api.logout().catch(() => {}); loggedOut(); });
  api.setLoggedOutHandler(loggedOut);
  window.addEventListener('hashchange', route);
  let session = null;
  try { session = await api.resume(); } catch { /* server down: show the login */ }
  if (session) await start(session);
  else route();
}

boot();
