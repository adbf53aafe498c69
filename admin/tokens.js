// Tokens page: list, create (secret shown once), rotate (new secret shown once), revoke.

import {api} from './api.js';
import {confirmDialog, secretDialog} from './dialog.js';
import {announce, fill, formatTime, h, keepFocus, message, uniqueId} from './dom.js';
import {dataTable} from './table.js';

const LEVEL_NAMES = {org: 'Organization', workspace: 'Workspace', admin: 'Admin key'};

const EXPIRY_CHOICES = [
    ['30d', '30 days'],
    ['90d', '90 days'],
    ['180d', '180 days'],
    ['365d', '1 year'],
    ['never', 'Never'],
    ['date', 'On a date…'],
];

const GRACE_CHOICES = [
    ['', 'Stops at once'],
    ['10m', 'Keeps working for 10 minutes'],
    ['1h', 'Keeps working for 1 hour'],
    ['24h', 'Keeps working for 24 hours'],
];

export async function renderTokens(root, {whoami}) {
    const status = h('div', {class: 'page-status'});
    const listArea = h('section', {'aria-labelledby': 'tokens-list-title'},
                       h('h2', {id: 'tokens-list-title'}, 'Tokens'),
                       h('p', {class: 'loading'}, 'Loading tokens…'));
    const formArea = h('section', {'aria-labelledby': 'tokens-create-title', class: 'card'});
    fill(root,
         h('h1', {}, 'Service access tokens'),
         h('p', {class: 'lead'},
           'Organization tokens let an identity provider (Okta, Microsoft Entra ID) call the SCIM ' +
           'API. Workspace tokens reach only their own workspace.'),
         status, formArea, listArea);

    const page = {root, status, listArea, formArea, whoami, workspaces: [], tokens: []};
    try {
        await reload(page);
    } catch (error) {
        fill(status, message('error', `Could not load the tokens. ${error.message}`));
        fill(listArea);
        return;
    }
    renderCreateForm(page);
}

async function reload(page) {
    const [tokens, workspaces] = await Promise.all([api.listTokens(), api.listWorkspaces()]);
    page.tokens = tokens.data || [];
    page.workspaces = workspaces.data || [];
    renderList(page);
}

function workspaceName(page, id) {
    if (!id) return null;
    const found = page.workspaces.find((w) => w.id === id);
    return found ? found.name : id;
}

function renderList(page) {
    const columns = [
        {label: 'Name', cell: (t) => h('span', {class: 'token-name'}, t.name)},
        {label: 'Level', cell: (t) => LEVEL_NAMES[t.level] || t.level},
        {label: 'Workspace', cell: (t) => workspaceName(page, t.workspace_id)},
        {label: 'Hint', cell: (t) => h('code', {}, t.hint)},
        {label: 'Created', cell: (t) => formatTime(t.created_at)},
        {label: 'Expires', cell: (t) => formatTime(t.expires_at) || 'Never'},
        {label: 'Last used', cell: (t) => formatTime(t.last_used_at) || 'Never'},
        {label: 'Status', cell: (t) => h('span', {class: `badge badge-${t.status}`}, t.status)},
        {label: 'Actions', cell: (t) => actionsFor(page, t), class: 'actions-cell'},
    ];
    fill(page.listArea,
         h('h2', {id: 'tokens-list-title'}, 'Tokens'),
         dataTable({caption: 'Service access tokens and admin keys', columns, rows: page.tokens,
                    empty: 'No tokens yet. Create one above.'}));
}

function actionsFor(page, token) {
    if (token.status === 'revoked') return null;
    const label = token.name;
    return h('div', {class: 'row-actions'},
        token.status === 'active'
            ? h('button', {type: 'button', class: 'secondary', 'aria-label': `Rotate ${label}`,
                           dataset: {action: 'rotate', token: token.id},
                           onclick: () => rotate(page, token)}, 'Rotate')
            : null,
        h('button', {type: 'button', class: 'danger', 'aria-label': `Revoke ${label}`,
                     dataset: {action: 'revoke', token: token.id},
                     onclick: () => revoke(page, token)}, 'Revoke'));
}

function renderCreateForm(page) {
    const ids = {name: uniqueId('name'), workspace: uniqueId('ws'), expiry: uniqueId('expiry'),
                 date: uniqueId('date'), levelHint: uniqueId('level-hint')};
    const status = h('div', {class: 'form-status'});
    const name = h('input', {id: ids.name, name: 'name', required: true, maxlength: 200,
                             autocomplete: 'off', placeholder: 'e.g. okta-production'});
    const levelOrg = h('input', {type: 'radio', name: 'level', value: 'org', checked: true,
                                 id: uniqueId('level')});
    const levelWs = h('input', {type: 'radio', name: 'level', value: 'workspace',
                                id: uniqueId('level'), disabled: page.workspaces.length === 0});
    const workspace = h('select', {id: ids.workspace, name: 'workspace_id', disabled: true},
        page.workspaces.map((w) => h('option', {value: w.id}, w.name)));
    const expiry = h('select', {id: ids.expiry, name: 'expiry'},
        EXPIRY_CHOICES.map(([value, text]) => h('option', {value, selected: value === '90d'}, text)));
    const date = h('input', {id: ids.date, name: 'expires_on', type: 'date'});
    const dateField = h('div', {class: 'field', hidden: true},
                        h('label', {for: ids.date}, 'Expires on (end of the day, UTC)'), date);
    const submit = h('button', {type: 'submit', class: 'primary'}, 'Create token');

    const syncLevel = () => { workspace.disabled = !levelWs.checked; };
    levelOrg.addEventListener('change', syncLevel);
    levelWs.addEventListener('change', syncLevel);
    expiry.addEventListener('change', () => { dateField.hidden = expiry.value !== 'date'; });

    const form = h('form', {novalidate: true},
        h('div', {class: 'field'}, h('label', {for: ids.name}, 'Name'), name),
        h('fieldset', {class: 'field', 'aria-describedby': ids.levelHint},
          h('legend', {}, 'Level'),
          h('div', {class: 'choices'},
            h('label', {for: levelOrg.id}, levelOrg, ' Organization (SCIM and audit log)'),
            h('label', {for: levelWs.id}, levelWs, ' Workspace')),
          h('p', {id: ids.levelHint, class: 'hint'},
            page.workspaces.length === 0
                ? 'Create a workspace first to issue workspace tokens.'
                : 'Only organization tokens can call the SCIM API.')),
        h('div', {class: 'field'}, h('label', {for: ids.workspace}, 'Workspace'), workspace),
        h('div', {class: 'field'}, h('label', {for: ids.expiry}, 'Expires'), expiry),
        dateField,
        status,
        h('div', {class: 'actions'}, submit));

    form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const request = readCreateForm({name, levelWs, workspace, expiry, date});
        if (request.error) {
            fill(status, message('error', request.error));
            request.focus.focus();
            return;
        }
        submit.disabled = true;
        fill(status, message('info', 'Creating the token…'));
        try {
            const issued = await api.createToken(request.body);
            fill(status);
            form.reset();
            syncLevel();
            dateField.hidden = true;
            await secretDialog({
                title: 'Token created',
                intro: `The token "${issued.token.name}" is ready. Give this secret to the client that will use it.`,
                secret: issued.secret,
            });
            await refreshAfterChange(page, `Token "${issued.token.name}" created.`);
            name.focus();
        } catch (error) {
            fill(status, message('error', `The token was not created. ${error.message}`));
        } finally {
            submit.disabled = false;
        }
    });

    fill(page.formArea, h('h2', {id: 'tokens-create-title'}, 'Create a token'), form);
}

function readCreateForm({name, levelWs, workspace, expiry, date}) {
    const body = {name: name.value.trim(), level: levelWs.checked ? 'workspace' : 'org'};
    if (!body.name) return {error: 'Give the token a name, for example "okta-production".', focus: name};
    if (body.level === 'workspace') {
        if (!workspace.value) return {error: 'Choose the workspace the token belongs to.', focus: workspace};
        body.workspace_id = workspace.value;
    }
    if (expiry.value === 'date') {
        if (!date.value) return {error: 'Pick the expiry date.', focus: date};
        const end = new Date(`${date.value}T23:59:59Z`);
        if (Number.isNaN(end.getTime()) || end <= new Date()) {
            return {error: 'The expiry date must be in the future.', focus: date};
        }
        body.expires_at = end.toISOString();
    } else if (expiry.value !== 'never') {
        body.expires_in = expiry.value;
    }
    return {body};
}

async function refreshAfterChange(page, text) {
    try {
        await reload(page);
        fill(page.status, message('success', text));
    } catch (error) {
        fill(page.status, message('error', `${text} The list could not be refreshed: ${error.message}`));
    }
    announce(text);
    keepFocus(page.status);
}

async function rotate(page, token) {
    const graceId = uniqueId('grace');
    const values = await confirmDialog({
        title: `Rotate "${token.name}"?`,
        body: 'The token gets a new secret. Update every client that uses it.',
        confirmLabel: 'Rotate',
        fields: [h('div', {class: 'field'},
                   h('label', {for: graceId}, 'The old secret'),
                   h('select', {id: graceId, name: 'grace_period'},
                     GRACE_CHOICES.map(([value, text]) => h('option', {value}, text))))],
    });
    if (!values) return;
    const body = values.grace_period ? {grace_period: values.grace_period} : {};
    try {
        const issued = await api.rotateToken(token.id, body);
        await secretDialog({
            title: 'Token rotated',
            intro: `"${issued.token.name}" has a new secret.`,
            secret: issued.secret,
        });
        await refreshAfterChange(page, `Token "${token.name}" rotated.`);
    } catch (error) {
        fill(page.status, message('error', `The token was not rotated. ${error.message}`));
    }
}

async function revoke(page, token) {
    const own = token.id === page.whoami.credential_id;
    const values = await confirmDialog({
        title: `Revoke "${token.name}"?`,
        body: [
            'Every request made with it is refused from now on. This cannot be undone.',
            own ? h('p', {class: 'message message-warning'},
                    'This is the key you are signed in with: you will be signed out.') : null,
        ].filter(Boolean),
        confirmLabel: 'Revoke',
        danger: true,
    });
    if (!values) return;
    try {
        await api.revokeToken(token.id);
        // Revoking one's own key: the refresh gets 401, which signs out.
        await refreshAfterChange(page, `Token "${token.name}" revoked.`);
    } catch (error) {
        fill(page.status, message('error', `The token was not revoked. ${error.message}`));
    }
}
