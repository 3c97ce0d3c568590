// A confirmation in a modal dialog: the keyboard starts on Cancel, Escape
// cancels, and a cancelled dialog gives the focus back to what opened it.

import { h, fill } from './dom.js';
import { t } from './i18n.js';

let dialog = null;
let pending = null; // settles the open confirmation

// settle answers the open confirmation once. It runs from the buttons and
// from Escape, never from the dialog's close event, which comes later (a
// task) and could reach the next confirmation.
function settle(yes) {
  const done = pending;
  pending = null;
  if (dialog.open) dialog.close();
  if (done) done(yes);
}

// confirm asks heading, with lines of explanation, and resolves true when
// the user chose action (the label of the button that does it).
export function confirm({ heading, lines, action }) {
  if (!dialog) {
    dialog = h('dialog', { class: 'confirm', id: 'confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' });
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); settle(false); });
    document.body.append(dialog);
  }
  if (pending) settle(false);
  const cancel = h('button', { type: 'button', class: 'secondary', id: 'confirm-cancel', onclick: () => settle(false) }, t('confirm.cancel'));
  fill(dialog, h('h2', { id: 'confirm-title' }, heading),
    h('div', { id: 'confirm-text' }, lines.map((l) => h('p', {}, l))),
    h('div', { class: 'dialog-buttons' }, cancel,
      h('button', { type: 'button', class: 'danger', id: 'confirm-ok', onclick: () => settle(true) }, action)));
  const opener = document.activeElement;
  return new Promise((resolve) => {
    pending = (yes) => {
      if (!yes && opener && opener.isConnected) opener.focus();
      resolve(yes);
    };
    dialog.showModal();
    cancel.focus();
  });
}
