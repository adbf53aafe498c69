// Entry point: sign-in, the signed-in header and hash routing (#/tokens, #/workspaces,
// #/audit). Hash routes keep every page at /admin/, so the server needs no fallback rules.

import {api, session, setUnauthorizedHandler} from './api.js';
import {fill, focusHeading, h, message, uniqueId} from './dom.js';
import {renderAudit} from './audit.js';
import {renderTokens} from './tokens.js';
import {renderWorkspaces} from './workspaces.js';

const ROUTES = {
    tokens: renderTokens,
    workspaces: renderWorkspaces,
    audit: renderAudit,
};
const DEFAULT_ROUTE = 'tokens';

const state = {
    whoami: null,      // the signed-in credential, from GET /api/v1/whoami
    notice: null,      // message to show on the sign-in page (e.g. after a revoked key)
};

function main() {
    return document.getElementById('main');
}

function currentRoute() {
    const name = window.location.hash.replace(/^#\/?/, '').split(/[/?]/)[0];
    return Object.hasOwn(ROUTES, name) ? name : null;
}

function showSignedIn(signedIn) {
    document.getElementById('nav').hidden = !signedIn;
    document.getElementById('session').hidden = !signedIn;
    const who = document.getElementById('session-who');
    who.textContent = signedIn ? `Signed in as ${state.whoami.name || state.whoami.credential_id}` : '';
}

function markCurrentLink(route) {
    for (const link of document.querySelectorAll('#nav a')) {
        if (link.dataset.route === route) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
    }
}

function signOut(notice = null) {
    session.clear();
    state.whoami = null;
    state.notice = notice;
    showSignedIn(false);
    if (window.location.hash) {
        // Drop the route without adding a history entry; render() runs below.
        window.history.replaceState(null, '', window.location.pathname);
    }
    render();
}

function renderSignIn() {
    const root = main();
    const inputId = uniqueId('key');
    const hintId = uniqueId('key-hint');
    const status = h('div', {class: 'form-status'});
    const input = h('input', {id: inputId, name: 'key', type: 'password', required: true,
                              autocomplete: 'off', spellcheck: 'false', 'aria-describedby': hintId});
    const submit = h('button', {type: 'submit', class: 'primary'}, 'Sign in');
    const form = h('form', {class: 'card sign-in', novalidate: true},
        h('label', {for: inputId}, 'Org admin key'),
        input,
        h('p', {id: hintId, class: 'hint'},
          'Paste an organization admin key (it starts with scimd_akey_). Create one with ' +
          '"scimctl admin-key create". The key stays in this browser tab only and is forgotten ' +
          'when you sign out or close the tab.'),
        status,
        h('div', {class: 'actions'}, submit));
    form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const key = input.value.trim();
        if (!key) {
            fill(status, message('error', 'Paste your org admin key first.'));
            input.focus();
            return;
        }
        submit.disabled = true;
        fill(status, message('info', 'Checking the key…'));
        const problem = await trySignIn(key);
        submit.disabled = false;
        if (problem) {
            fill(status, message('error', problem));
            input.select();
            input.focus();
        }
    });

    fill(root,
         h('h1', {}, 'Sign in'),
         state.notice ? message('error', state.notice) : null,
         form);
    state.notice = null;
    input.focus();
}

// Verifies a key with whoami. Returns null on success, or the sentence to show.
async function trySignIn(key) {
    let whoami;
    try {
        whoami = await api.whoami(key);
    } catch (error) {
        if (error.status === 401) {
            return 'That key was not accepted: it is wrong, expired or revoked. Check that you ' +
                   'pasted the whole key. (HTTP 401)';
        }
        return error.message;
    }
    if (whoami.kind !== 'admin_key') {
        const what = whoami.kind === 'org_sat' ? 'an organization service access token'
                   : whoami.kind === 'workspace_sat' ? 'a workspace service access token'
                   : `a credential of kind "${whoami.kind}"`;
        return `That key is ${what}. The console needs an org admin key (scimd_akey_…).`;
    }
    session.save(key);
    state.whoami = whoami;
    showSignedIn(true);
    if (!currentRoute()) {
        window.location.hash = `#/${DEFAULT_ROUTE}`;  // hashchange renders the page
    } else {
        render();
    }
    return null;
}

async function restoreSession() {
    const key = session.key();
    if (!key) return false;
    try {
        const whoami = await api.whoami(key);
        if (whoami.kind !== 'admin_key') throw new Error('not an admin key');
        state.whoami = whoami;
        showSignedIn(true);
        return true;
    } catch (error) {
        session.clear();
        state.notice = error.status === 401
            ? 'Your key is no longer accepted (revoked or expired). Sign in with another key.'
            : `Could not check your key: ${error.message}`;
        return false;
    }
}

function render() {
    const root = main();
    if (!state.whoami) {
        markCurrentLink(null);
        renderSignIn();
        return;
    }
    const route = currentRoute();
    if (!route) {
        window.location.replace(`#/${DEFAULT_ROUTE}`);
        return;
    }
    markCurrentLink(route);
    const view = h('div', {class: 'view'});
    fill(root, view);
    // Views build their heading synchronously and fill in data as it arrives.
    ROUTES[route](view, {whoami: state.whoami});
    focusHeading(view);
}

async function start() {
    document.getElementById('sign-out').addEventListener('click', () => signOut());
    // The hash is the router's, so the skip link moves focus itself instead of navigating.
    document.querySelector('.skip-link').addEventListener('click', (event) => {
        event.preventDefault();
        main().focus();
    });
    setUnauthorizedHandler(() => {
        // Several requests of one page can fail together; the first one signs out.
        if (!state.whoami) return;
        signOut('Your key stopped working (revoked or expired). Sign in again with a valid key.');
    });
    window.addEventListener('hashchange', () => render());
    await restoreSession();
    render();
}

start();
