// Modal dialogs built on <dialog>: showModal() makes the rest of the page inert and traps
// focus; Escape cancels; on close, focus returns to the control that opened the dialog.

import {h, uniqueId} from './dom.js';

function openModal(dialog, initialFocus) {
    const opener = document.activeElement;
    document.body.append(dialog);
    dialog.addEventListener('close', () => {
        dialog.remove();
        if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
    });
    dialog.showModal();
    if (initialFocus) initialFocus.focus();
}

// Asks a yes/no question. Resolves to the form values (an object, possibly empty) when confirmed,
// or null when cancelled. The safe choice (Cancel) has the initial focus.
export function confirmDialog({title, body, confirmLabel, danger = false, fields = []}) {
    return new Promise((resolve) => {
        const titleId = uniqueId('dialog-title');
        const cancel = h('button', {type: 'button', class: 'secondary', onclick: () => dialog.close()},
                         'Cancel');
        const form = h('form', {method: 'dialog'},
            h('h2', {id: titleId}, title),
            ...[body].flat().map((text) => (text instanceof Node ? text : h('p', {}, text))),
            ...fields,
            h('div', {class: 'actions'},
              cancel,
              h('button', {type: 'submit', value: 'confirm', class: danger ? 'danger' : 'primary'},
                confirmLabel)));
        const dialog = h('dialog', {'aria-labelledby': titleId}, form);
        let values = null;
        form.addEventListener('submit', () => {
            values = Object.fromEntries(new FormData(form).entries());
        });
        dialog.addEventListener('close', () => resolve(values));
        openModal(dialog, cancel);
    });
}

// Shows a freshly issued secret exactly once, with a copy button and the warning that it cannot
// be shown again. The secret is removed from the page when the dialog closes.
export function secretDialog({title, intro, secret}) {
    return new Promise((resolve) => {
        const titleId = uniqueId('dialog-title');
        const inputId = uniqueId('secret');
        const status = h('p', {class: 'copy-status', role: 'status'});
        const input = h('input', {id: inputId, type: 'text', readonly: true, class: 'secret',
                                  spellcheck: 'false', autocomplete: 'off', value: secret});
        const copy = h('button', {type: 'button', class: 'primary', onclick: () => copySecret(input, status)},
                       'Copy to clipboard');
        const done = h('button', {type: 'button', class: 'secondary', onclick: () => dialog.close()},
                       'Done, I stored it');
        const dialog = h('dialog', {'aria-labelledby': titleId, class: 'secret-dialog'},
            h('h2', {id: titleId}, title),
            h('p', {}, intro),
            h('p', {class: 'message message-warning'},
              h('strong', {}, 'This secret will not be shown again. '),
              'Copy it now and store it somewhere safe, such as your identity provider\'s ' +
              'provisioning settings or a password manager. If you lose it, rotate the token.'),
            h('label', {for: inputId}, 'Secret'),
            h('div', {class: 'secret-row'}, input, copy),
            status,
            h('div', {class: 'actions'}, done));
        dialog.addEventListener('close', () => {
            input.value = '';
            resolve();
        });
        openModal(dialog, copy);
    });
}

async function copySecret(input, status) {
    try {
        await navigator.clipboard.writeText(input.value);
        status.textContent = 'Copied to the clipboard.';
    } catch {
        // The Clipboard API needs a secure context (HTTPS or localhost) and permission; without
        // it, select the text so Ctrl+C (or Cmd+C) copies it.
        input.focus();
        input.select();
        status.textContent = 'Could not copy automatically. The secret is selected: press Ctrl+C to copy it.';
    }
}
