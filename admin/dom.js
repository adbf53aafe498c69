// Small DOM helpers. Everything is built with createElement and text nodes, never parsed as
// markup, so text that came from the server (token names, audit details) can never become markup.

// h('button', {type: 'button', onclick: fn, class: 'x'}, 'Label', child, ...)
// Attributes: "class", "for", "on<event>" handlers, booleans (true sets, false/null omits).
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
        if (value === false || value === null || value === undefined) continue;
        if (name.startsWith('on') && typeof value === 'function') {
            el.addEventListener(name.slice(2), value);
        } else if (name === 'dataset') {
            Object.assign(el.dataset, value);
        } else if (value === true) {
            el.setAttribute(name, '');
        } else {
            el.setAttribute(name, String(value));
        }
    }
    append(el, children);
    return el;
}

function append(el, children) {
    for (const child of children.flat(Infinity)) {
        if (child === null || child === undefined || child === false) continue;
        el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
}

export function clear(el) {
    while (el.firstChild) el.firstChild.remove();
    return el;
}

// Replaces the children of `el`.
export function fill(el, ...children) {
    clear(el);
    append(el, children);
    return el;
}

let idCounter = 0;
export function uniqueId(prefix) {
    idCounter += 1;
    return `${prefix}-${idCounter}`;
}

// Times are shown in UTC, the same clock the server and the audit log use, so a value read
// here matches one read from a log line.
export function formatTime(iso) {
    if (!iso) return null;
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const text = date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
    return h('time', {datetime: iso, title: iso}, text);
}

// Announces a short message to screen readers without moving focus.
export function announce(text) {
    const region = document.getElementById('announcer');
    if (!region) return;
    region.textContent = '';
    // A fresh text node after clearing makes repeated identical messages heard again.
    window.setTimeout(() => { region.textContent = text; }, 50);
}

// A message box: kind is 'error' (role=alert, read at once) or 'info' / 'success' (polite).
export function message(kind, text) {
    const role = kind === 'error' ? 'alert' : 'status';
    return h('div', {class: `message message-${kind}`, role}, text);
}

// Puts focus on the page heading after a view change, so keyboard and screen reader users
// start at the top of the new content.
export function focusHeading(root) {
    const heading = root.querySelector('h1');
    if (heading) {
        heading.setAttribute('tabindex', '-1');
        heading.focus();
    }
}

// The button that opened a dialog is gone once the list is redrawn; put focus on the result
// message instead of letting it fall back to the top of the document.
export function keepFocus(target) {
    const active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) {
        if (target.tabIndex < 0) target.setAttribute('tabindex', '-1');
        target.focus();
    }
}
