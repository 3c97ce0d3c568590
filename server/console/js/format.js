import { lang, t } from './i18n.js';

// duration formats seconds as h:mm:ss or m:ss.
export function duration(sec) {
  if (!Number.isFinite(sec) || sec < 0) sec = 0;
  sec = Math.floor(sec);
  const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return (h > 0 ? h + ':' : '') + mm + ':' + String(s).padStart(2, '0');
}

export function since(iso, now = Date.now()) {
  return iso ? duration((now - Date.parse(iso)) / 1000) : '';
}

export function time(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleTimeString(lang(), { hour: '2-digit', minute: '2-digit' });
}

export function dateTime(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString(lang(), { dateStyle: 'short', timeStyle: 'short' });
}

export function num(v, digits = 0) {
  return Number(v || 0).toLocaleString(lang(), { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// label is the catalogue's text for prefix + code, or fallback when the
// console has none (a site's own code).
function label(prefix, code, fallback) {
  const k = prefix + code;
  const v = t(k);
  return v === k ? fallback : v;
}

export function stateName(state) {
  return label('state.', state || 'offline', state);
}

// reasonName labels a Not ready or Break reason code: the app's built-in
// codes in the console's language, a code of the site's own policy as is.
export function reasonName(code) {
  return label('reason.', code, code);
}

// checkName labels a pre-shift check (the app's check names) in the
// console's language; a name the console does not know is shown as is.
export function checkName(name) {
  return label('check.', name, name);
}

// Outcomes of the site's own (GET /v1/dispositions) keep the site's label;
// the built-in ones are said in the console's language. Views that show
// outcomes wait for the list (dispositionsReady) before drawing them.
const dispositionLabels = new Map();
let dispositionsLoaded = Promise.resolve();

// loadDispositions fetches the site's outcomes once per login; a failure
// leaves the codes as they are.
export function loadDispositions(fetchList) {
  dispositionsLoaded = fetchList().then((list) => {
    dispositionLabels.clear();
    for (const d of list || []) if (d.label) dispositionLabels.set(d.code, d.label);
  }, () => {});
  return dispositionsLoaded;
}

export function dispositionsReady() { return dispositionsLoaded; }

// dispositionName labels a call outcome code.
export function dispositionName(code) {
  return label('disp.', code, dispositionLabels.get(code) || code);
}

export function today() {
  return new Date().toISOString().slice(0, 10);
}

// mosClass grades a MOS for colour: good >= 4, fair >= 3.6, else poor.
export function mosClass(mos) {
  if (!mos) return '';
  return mos >= 4 ? 'good' : mos >= 3.6 ? 'fair' : 'poor';
}
