// English and French texts of the console. t(key, vars) fills {name} slots.

const en = {
  skip: 'Skip to content', brand: 'Homeshore supervisor', nav: 'Sections', lang: 'Language', logout: 'Log out', loading: 'Loading…',
  'nav.wallboard': 'Wallboard', 'nav.indicators': 'Indicators', 'nav.messages': 'Messages', 'nav.team': 'Team',
  'login.title': 'Supervisor console', 'login.user': 'Username', 'login.password': 'Password', 'login.submit': 'Log in',
  'login.bad': 'Wrong username or password.', 'login.agent': 'This console is for supervisors. Agents use the Homeshore app.',
  'login.limited': 'Too many failed logins: wait a minute and try again.', 'login.down': 'The server cannot be reached: check your connection and try again.',
  'live.live': 'Live', 'live.connecting': 'Connecting…', 'live.lost': 'Connection lost: reconnecting…',
  'state.available': 'Available', 'state.on_call': 'On call', 'state.wrap_up': 'Wrap-up', 'state.not_ready': 'Not ready',
  'state.break': 'Break', 'state.offline': 'Offline', 'state.checking': 'Checking',
  'reason.admin': 'Admin work', 'reason.break': 'Short break', 'reason.check_failed': 'Equipment check failed',
  'reason.coaching': 'Coaching', 'reason.device_changed': 'Sound device changed', 'reason.headset_missing': 'Headset unplugged',
  'reason.lunch': 'Lunch', 'reason.manual': 'No reason given', 'reason.meeting': 'Team meeting',
  'check.headset': 'Headset', 'check.leak': 'Headset leak (echo)', 'check.microphone': 'Microphone', 'check.network': 'Network',
  'check.room': 'Quiet room', 'check.speaker': 'Speaker',
  'disp.callback': 'Callback scheduled', 'disp.dropped': 'Call dropped', 'disp.escalated': 'Escalated', 'disp.missed': 'Missed',
  'disp.no_disposition': 'No outcome chosen', 'disp.no_sale': 'No sale', 'disp.rejected': 'Declined', 'disp.resolved': 'Resolved',
  'disp.sale': 'Sale', 'disp.transferred': 'Transferred', 'disp.voicemail': 'Voicemail', 'disp.wrong_number': 'Wrong number',
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
  'confirm.cancel': 'Cancel',
  'team.title': 'Team', 'team.intro': 'Who is in each queue you administer. A change applies at once, and the wallboards follow it.',
  'team.agents': 'Agents', 'team.supervisors': 'Supervisors', 'team.none': 'Nobody.', 'team.you': 'you',
  'team.remove': 'Remove', 'team.removeFrom': 'Remove {name} from {queue}', 'team.add': 'Add', 'team.addTo': 'Add to {queue}',
  'team.pick': 'Choose a person…', 'team.pickFirst': 'Choose the person to add from the list first.',
  'team.nobodyToAdd': 'Everyone you can add is already in this queue.',
  'team.noQueues': 'You administer no queue. Ask your administrator to add you to one.',
  'team.added': '{name} is now in {queue}.', 'team.removed': '{name} is no longer in {queue}.',
  'team.confirmTitle': 'Remove {name} from {queue}?', 'team.confirmText': 'The change applies at once and is kept in the list of recent changes.',
  'team.confirmLast': '{name} is in none of your other queues: they will leave your wallboard, and only your administrator can add them back.',
  'team.confirmSelf': 'You will no longer see the agents of this queue, nor administer it.',
  'team.audit': 'Recent changes', 'team.auditHint': 'Who joined or left your queues in the last 30 days, newest first.',
  'team.auditNone': 'No change to your queues in the last 30 days.', 'team.when': 'When', 'team.by': 'By', 'team.change': 'Change',
  'team.person': 'Person', 'team.queue': 'Queue', 'team.act.add': 'Added', 'team.act.remove': 'Removed', 'team.retry': 'Try again',
  'team.loadFailed': 'The team could not be loaded ({why}): try again in a moment.',
  'team.err.network': 'The server cannot be reached, so the change may not have been made: check your connection, then try again.',
  'team.err.session': 'Your session has ended: log in again, then redo the change.',
  'team.err.csrf': 'This page is out of date: reload it, then redo the change.',
  'team.err.forbidden': 'You do not administer {queue} (any more): nothing was changed, and the lists are up to date again. Ask your administrator if this queue needs a change.',
  'team.err.notFound': '{name} or the queue {queue} no longer exists: nothing was changed, and the lists are up to date again.',
  'team.err.conflict': '{queue} was changed at the same moment: the lists are up to date again; check them and try again if needed.',
  'team.err.limited': 'Too many requests: wait a minute, then try again.',
  'team.err.server': 'The server could not make the change (error {status}): try again in a moment; if it goes on, tell IT.',
};

const fr = {
  skip: 'Aller au contenu', brand: 'Homeshore superviseur', nav: 'Rubriques', lang: 'Langue', logout: 'Se déconnecter', loading: 'Chargement…',
  'nav.wallboard': 'Tableau', 'nav.indicators': 'Indicateurs', 'nav.messages': 'Messages', 'nav.team': 'Équipe',
  'login.title': 'Console superviseur', 'login.user': 'Identifiant', 'login.password': 'Mot de passe', 'login.submit': 'Se connecter',
  'login.bad': 'Identifiant ou mot de passe incorrect.', 'login.agent': 'Cette console est réservée aux superviseurs. Les agents utilisent l’application Homeshore.',
  'login.limited': 'Trop d’échecs de connexion : patientez une minute puis réessayez.', 'login.down': 'Le serveur est injoignable : vérifiez votre connexion et réessayez.',
  'live.live': 'En direct', 'live.connecting': 'Connexion…', 'live.lost': 'Connexion perdue : reconnexion…',
  'state.available': 'Disponible', 'state.on_call': 'En appel', 'state.wrap_up': 'Post-appel', 'state.not_ready': 'Indisponible',
  'state.break': 'Pause', 'state.offline': 'Hors ligne', 'state.checking': 'Vérification',
  'reason.admin': 'Tâches administratives', 'reason.break': 'Pause courte', 'reason.check_failed': 'Échec de la vérification du matériel',
  'reason.coaching': 'Accompagnement', 'reason.device_changed': 'Périphérique audio changé', 'reason.headset_missing': 'Casque débranché',
  'reason.lunch': 'Déjeuner', 'reason.manual': 'Sans motif', 'reason.meeting': "Réunion d'équipe",
  'check.headset': 'Casque', 'check.leak': 'Fuite du casque (écho)', 'check.microphone': 'Micro', 'check.network': 'Réseau',
  'check.room': 'Pièce calme', 'check.speaker': 'Haut-parleur',
  'disp.callback': 'Rappel prévu', 'disp.dropped': 'Appel coupé', 'disp.escalated': 'Escaladé', 'disp.missed': 'Manqué',
  'disp.no_disposition': 'Aucun résultat choisi', 'disp.no_sale': 'Pas de vente', 'disp.rejected': 'Refusé', 'disp.resolved': 'Résolu',
  'disp.sale': 'Vente', 'disp.transferred': 'Transféré', 'disp.voicemail': 'Messagerie vocale', 'disp.wrong_number': 'Faux numéro',
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
  'confirm.cancel': 'Annuler',
  'team.title': 'Équipe', 'team.intro': 'Qui fait partie de chaque file que vous administrez. Une modification s’applique aussitôt, et les tableaux en direct la suivent.',
  'team.agents': 'Agents', 'team.supervisors': 'Superviseurs', 'team.none': 'Personne.', 'team.you': 'vous',
  'team.remove': 'Retirer', 'team.removeFrom': 'Retirer {name} de la file {queue}', 'team.add': 'Ajouter', 'team.addTo': 'Ajouter à la file {queue}',
  'team.pick': 'Choisissez une personne…', 'team.pickFirst': 'Choisissez d’abord dans la liste la personne à ajouter.',
  'team.nobodyToAdd': 'Toutes les personnes que vous pouvez ajouter sont déjà dans cette file.',
  'team.noQueues': 'Vous n’administrez aucune file. Demandez à votre administrateur de vous en confier une.',
  'team.added': '{name} fait maintenant partie de la file {queue}.', 'team.removed': '{name} ne fait plus partie de la file {queue}.',
  'team.confirmTitle': 'Retirer {name} de la file {queue} ?', 'team.confirmText': 'La modification s’applique aussitôt et reste dans la liste des modifications récentes.',
  'team.confirmLast': '{name} n’est dans aucune autre de vos files : cette personne quittera votre tableau, et seul votre administrateur pourra la rajouter.',
  'team.confirmSelf': 'Vous ne verrez plus les agents de cette file et ne pourrez plus l’administrer.',
  'team.audit': 'Modifications récentes', 'team.auditHint': 'Qui est entré dans vos files ou en est sorti ces 30 derniers jours, du plus récent au plus ancien.',
  'team.auditNone': 'Aucune modification de vos files ces 30 derniers jours.', 'team.when': 'Date', 'team.by': 'Par', 'team.change': 'Modification',
  'team.person': 'Personne', 'team.queue': 'File', 'team.act.add': 'Ajout', 'team.act.remove': 'Retrait', 'team.retry': 'Réessayer',
  'team.loadFailed': 'Impossible de charger l’équipe ({why}) : réessayez dans un instant.',
  'team.err.network': 'Le serveur est injoignable, la modification n’a peut-être pas été faite : vérifiez votre connexion, puis réessayez.',
  'team.err.session': 'Votre session a expiré : reconnectez-vous, puis refaites la modification.',
  'team.err.csrf': 'Cette page n’est plus à jour : rechargez-la, puis refaites la modification.',
  'team.err.forbidden': 'Vous n’administrez pas (ou plus) la file {queue} : rien n’a été modifié, et les listes sont de nouveau à jour. Adressez-vous à votre administrateur si cette file doit changer.',
  'team.err.notFound': '{name} ou la file {queue} n’existe plus : rien n’a été modifié, et les listes sont de nouveau à jour.',
  'team.err.conflict': 'La file {queue} a été modifiée au même moment : les listes sont de nouveau à jour ; vérifiez-les et réessayez si besoin.',
  'team.err.limited': 'Trop de requêtes : patientez une minute, puis réessayez.',
  'team.err.server': 'Le serveur n’a pas pu faire la modification (erreur {status}) : réessayez dans un instant ; si cela continue, prévenez le service informatique.',
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
