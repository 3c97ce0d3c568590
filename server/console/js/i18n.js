// English and French texts of the console. t(key, vars) fills {name} slots.

const en = {
  skip: 'Skip to content', brand: 'Homeshore supervisor', nav: 'Sections', lang: 'Language', logout: 'Log out', loading: 'Loading…',
  'nav.wallboard': 'Wallboard', 'nav.indicators': 'Indicators', 'nav.messages': 'Messages',
  'login.title': 'Supervisor console', 'login.user': 'Username', 'login.password': 'Password', 'login.submit': 'Log in',
  'login.bad': 'Wrong username or password.', 'login.agent': 'This console is for supervisors. Agents use the Homeshore app.',
  'login.limited': 'Too many failed logins: wait a minute and try again.', 'login.down': 'The server cannot be reached: check your connection and try again.',
  'live.live': 'Live', 'live.connecting': 'Connecting…', 'live.lost': 'Connection lost: reconnecting…',
  'state.available': 'Available', 'state.on_call': 'On call', 'state.wrap_up': 'Wrap-up', 'state.not_ready': 'Not ready',
  'state.break': 'Break', 'state.offline': 'Offline', 'state.checking': 'Checking',
  'reason.admin': 'Admin work', 'reason.break': 'Short break', 'reason.check_failed': 'Equipment check failed',
  'reason.coaching': 'Coaching', 'reason.device_changed': 'Sound device changed', 'reason.headset_missing': 'Headset unplugged',
  'reason.lunch': 'Lunch', 'reason.manual': 'No reason given', 'reason.meeting': 'Team meeting',
  'reason.missed_call': 'Missed call', 'reason.network_degraded': 'Network degraded', 'reason.tech': 'Technical problem',
  'reason.training': 'Training',
  'verdict.pass': 'pass', 'verdict.warn': 'warning', 'verdict.fail': 'failed', 'verdict.error': 'could not run', 'verdict.skipped': 'skipped',
  'mode.listen': 'listening', 'mode.whisper': 'coaching', 'mode.barge': 'in the call',
  'wb.title': 'Wallboard', 'wb.summary': 'Agents by state', 'wb.queue': 'Queue', 'wb.allQueues': 'All queues', 'wb.state': 'State',
  'wb.allStates': 'All states', 'wb.askingHelp': 'Asking for help', 'wb.notConnected': 'Not connected', 'wb.connected': 'Connected',
  'wb.sortBy': 'Sort by', 'wb.sort.name': 'Name', 'wb.sort.state': 'State', 'wb.sort.time': 'Time in state', 'wb.sort.mos': 'Call quality',
  'wb.sort.queue': 'Queue', 'wb.help': 'Help', 'wb.helpRequests': 'Help requests', 'wb.take': 'Take', 'wb.noNote': '(no note)',
  'wb.agent': 'Agent', 'wb.queues': 'Queues', 'wb.inState': 'Time in state', 'wb.call': 'Call', 'wb.quality': 'Quality',
  'wb.precheck': 'Pre-shift check', 'wb.connection': 'App', 'wb.actions': 'Actions', 'wb.in': 'Inbound', 'wb.out': 'Outbound',
  'wb.ringing': 'ringing', 'wb.hold': 'on hold', 'wb.loss': 'loss {v} %', 'wb.jitter': 'jitter {v} ms', 'wb.noCheck': 'no check today',
  'wb.checkPassed': 'Passed', 'wb.checkFailed': 'Failed', 'wb.override': 'Started anyway:', 'wb.lastSeen': 'since {t}',
  'wb.message': 'Message', 'wb.monitoring': '{who} {mode}', 'wb.empty': 'No agent matches these filters.',
  'wb.lineDown': 'Phone line down', 'wb.line.reconnecting': 'Phone line down, reconnecting', 'wb.line.refused': 'Phone line refused by the SIP server',
  'wb.line.off': 'Phone line not connected', 'wb.callWaiting': 'Call waiting',
  'ind.title': 'Indicators', 'ind.from': 'From', 'ind.to': 'To', 'ind.show': 'Show', 'ind.csv': 'Export CSV', 'ind.queue': 'Queue',
  'ind.agent': 'Agent', 'ind.handled': 'Calls handled', 'ind.missed': 'Missed', 'ind.aht': 'Avg handle time', 'ind.talk': 'Talk time',
  'ind.wrapup': 'Wrap-up time', 'ind.mos': 'Avg MOS', 'ind.pcfail': 'Pre-shift failures', 'ind.dispositions': 'Dispositions',
  'ind.byQueue': 'By queue', 'ind.byAgent': 'By agent', 'ind.worst': 'Worst calls', 'ind.ticket': 'Ticket',
  'ind.chart.calls': 'Calls handled and missed, by agent', 'ind.chart.states': 'Time in each state, by agent',
  'ind.chart.mos': 'Average call quality (MOS), by agent', 'ind.chart.checks': 'Pre-shift failures, by check',
  'ind.chart.disps': 'Dispositions',
  'ag.title': 'Agent', 'ag.day': 'Day', 'ag.timeline': 'Shift timeline', 'ag.timelineOf': 'States and calls of {name}',
  'ag.shifts': 'Shifts', 'ag.calls': 'Calls', 'ag.prechecks': 'Pre-shift checks', 'ag.sessions': 'Listening sessions',
  'ag.noCheck': 'No pre-shift check this day.', 'ag.noCalls': 'No calls this day.', 'ag.noShift': 'No shift this day.',
  'ag.noSessions': 'Nobody listened to this agent this day.', 'ag.open': 'now', 'ag.calls1': '1 call', 'ag.callsN': '{n} calls', 'ag.check': 'Check',
  'ag.verdict': 'Result', 'ag.findings': 'Findings', 'ag.figures': 'Figures', 'ag.time': 'Time', 'ag.direction': 'Direction',
  'ag.number': 'Number', 'ag.talk': 'Talk time', 'ag.disposition': 'Disposition', 'ag.missed': 'missed',
  'ag.notYours': 'This agent is not in one of your queues.',
  'msg.title': 'Messages', 'msg.conversations': 'Conversations', 'msg.queue': 'Everyone in {q}', 'msg.to': 'Message to {who}',
  'msg.toQueue': 'Message to everyone in {q}', 'msg.send': 'Send', 'msg.pick': 'Pick an agent or a queue.',
  'msg.takenBy': 'taken by {who}', 'msg.unread': '{n} unread', 'msg.cancelled': 'cancelled by the agent',
};

const fr = {
  skip: 'Aller au contenu', brand: 'Homeshore superviseur', nav: 'Rubriques', lang: 'Langue', logout: 'Se déconnecter', loading: 'Chargement…',
  'nav.wallboard': 'Tableau', 'nav.indicators': 'Indicateurs', 'nav.messages': 'Messages',
  'login.title': 'Console superviseur', 'login.user': 'Identifiant', 'login.password': 'Mot de passe', 'login.submit': 'Se connecter',
  'login.bad': 'Identifiant ou mot de passe incorrect.', 'login.agent': 'Cette console est réservée aux superviseurs. Les agents utilisent l’application Homeshore.',
  'login.limited': 'Trop d’échecs de connexion : patientez une minute puis réessayez.', 'login.down': 'Le serveur est injoignable : vérifiez votre connexion et réessayez.',
  'live.live': 'En direct', 'live.connecting': 'Connexion…', 'live.lost': 'Connexion perdue : reconnexion…',
  'state.available': 'Disponible', 'state.on_call': 'En appel', 'state.wrap_up': 'Post-appel', 'state.not_ready': 'Indisponible',
  'state.break': 'Pause', 'state.offline': 'Hors ligne', 'state.checking': 'Vérification',
  'reason.admin': 'Tâches administratives', 'reason.break': 'Pause courte', 'reason.check_failed': 'Échec de la vérification du matériel',
  'reason.coaching': 'Accompagnement', 'reason.device_changed': 'Périphérique audio changé', 'reason.headset_missing': 'Casque débranché',
  'reason.lunch': 'Déjeuner', 'reason.manual': 'Sans motif', 'reason.meeting': "Réunion d'équipe",
  'reason.missed_call': 'Appel manqué', 'reason.network_degraded': 'Réseau dégradé', 'reason.tech': 'Problème technique',
  'reason.training': 'Formation',
  'verdict.pass': 'réussi', 'verdict.warn': 'avertissement', 'verdict.fail': 'échoué', 'verdict.error': 'impossible', 'verdict.skipped': 'non fait',
  'mode.listen': 'écoute', 'mode.whisper': 'coache', 'mode.barge': 'en conférence',
  'wb.title': 'Tableau en direct', 'wb.summary': 'Agents par état', 'wb.queue': 'File', 'wb.allQueues': 'Toutes les files', 'wb.state': 'État',
  'wb.allStates': 'Tous les états', 'wb.askingHelp': 'Demande d’aide', 'wb.notConnected': 'Non connecté', 'wb.connected': 'Connecté',
  'wb.sortBy': 'Trier par', 'wb.sort.name': 'Nom', 'wb.sort.state': 'État', 'wb.sort.time': 'Durée dans l’état', 'wb.sort.mos': 'Qualité d’appel',
  'wb.sort.queue': 'File', 'wb.help': 'Aide', 'wb.helpRequests': 'Demandes d’aide', 'wb.take': 'Prendre', 'wb.noNote': '(sans message)',
  'wb.agent': 'Agent', 'wb.queues': 'Files', 'wb.inState': 'Durée', 'wb.call': 'Appel', 'wb.quality': 'Qualité',
  'wb.precheck': 'Vérification', 'wb.connection': 'Application', 'wb.actions': 'Actions', 'wb.in': 'Entrant', 'wb.out': 'Sortant',
  'wb.ringing': 'sonne', 'wb.hold': 'en attente', 'wb.loss': 'pertes {v} %', 'wb.jitter': 'gigue {v} ms', 'wb.noCheck': 'pas de vérification aujourd’hui',
  'wb.checkPassed': 'Réussie', 'wb.checkFailed': 'Échouée', 'wb.override': 'Démarré malgré tout :', 'wb.lastSeen': 'depuis {t}',
  'wb.message': 'Message', 'wb.monitoring': '{who} {mode}', 'wb.empty': 'Aucun agent ne correspond à ces filtres.',
  'wb.lineDown': 'Ligne coupée', 'wb.line.reconnecting': 'Ligne téléphonique coupée, reconnexion', 'wb.line.refused': 'Ligne refusée par le serveur SIP',
  'wb.line.off': 'Ligne téléphonique non connectée', 'wb.callWaiting': 'Double appel',
  'ind.title': 'Indicateurs', 'ind.from': 'Du', 'ind.to': 'Au', 'ind.show': 'Afficher', 'ind.csv': 'Exporter en CSV', 'ind.queue': 'File',
  'ind.agent': 'Agent', 'ind.handled': 'Appels traités', 'ind.missed': 'Manqués', 'ind.aht': 'Durée moy. de traitement', 'ind.talk': 'Temps de conversation',
  'ind.wrapup': 'Temps de post-appel', 'ind.mos': 'MOS moyen', 'ind.pcfail': 'Vérifications échouées', 'ind.dispositions': 'Qualifications',
  'ind.byQueue': 'Par file', 'ind.byAgent': 'Par agent', 'ind.worst': 'Appels les plus dégradés', 'ind.ticket': 'Ticket',
  'ind.chart.calls': 'Appels traités et manqués, par agent', 'ind.chart.states': 'Temps passé dans chaque état, par agent',
  'ind.chart.mos': 'Qualité moyenne des appels (MOS), par agent', 'ind.chart.checks': 'Vérifications échouées, par contrôle',
  'ind.chart.disps': 'Qualifications',
  'ag.title': 'Agent', 'ag.day': 'Jour', 'ag.timeline': 'Déroulé de la journée', 'ag.timelineOf': 'États et appels de {name}',
  'ag.shifts': 'Services', 'ag.calls': 'Appels', 'ag.prechecks': 'Vérifications avant service', 'ag.sessions': 'Séances d’écoute',
  'ag.noCheck': 'Aucune vérification ce jour.', 'ag.noCalls': 'Aucun appel ce jour.', 'ag.noShift': 'Aucun service ce jour.',
  'ag.noSessions': 'Personne n’a écouté cet agent ce jour.', 'ag.open': 'en cours', 'ag.calls1': '1 appel', 'ag.callsN': '{n} appels', 'ag.check': 'Contrôle',
  'ag.verdict': 'Résultat', 'ag.findings': 'Constats', 'ag.figures': 'Mesures', 'ag.time': 'Heure', 'ag.direction': 'Sens',
  'ag.number': 'Numéro', 'ag.talk': 'Conversation', 'ag.disposition': 'Qualification', 'ag.missed': 'manqué',
  'ag.notYours': 'Cet agent n’est pas dans l’une de vos files.',
  'msg.title': 'Messages', 'msg.conversations': 'Conversations', 'msg.queue': 'Toute la file {q}', 'msg.to': 'Message à {who}',
  'msg.toQueue': 'Message à toute la file {q}', 'msg.send': 'Envoyer', 'msg.pick': 'Choisissez un agent ou une file.',
  'msg.takenBy': 'pris en charge par {who}', 'msg.unread': '{n} non lus', 'msg.cancelled': 'annulée par l’agent',
};

const dicts = { en, fr };
let current = 'en';

export function lang() { return current; }

export function setLang(l) {
  current = dicts[l] ? l : 'en';
  document.documentElement.lang = current;
  try { localStorage.setItem('homeshore.lang', current); } catch { /* private mode */ }
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-attr]')) {
    const [attr, key] = el.dataset.i18nAttr.split(':');
    el.setAttribute(attr, t(key));
  }
  document.title = t('brand');
}

export function initialLang() {
  let l = '';
  try { l = localStorage.getItem('homeshore.lang') || ''; } catch { /* private mode */ }
  const q = new URLSearchParams(location.search).get('lang');
  if (q) l = q;
  if (!l) l = (navigator.language || 'en').slice(0, 2);
  return dicts[l] ? l : 'en';
}

export function t(key, vars) {
  let s = (dicts[current] && dicts[current][key]) || en[key] || key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll('{' + k + '}', String(v));
  return s;
}

export const _keys = { en, fr };
