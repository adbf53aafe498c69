// Audit log page. The Audit Log API returns events oldest first and pages forward with an opaque
// cursor; the console follows the cursor for a bounded number of pages from the chosen start
// time, shows what it read newest first, and offers to read further with the last cursor.
// The action filter is applied here: the API filters by workspace and time only.

import {api} from './api.js';
import {fill, formatTime, h, keepFocus, message, uniqueId} from './dom.js';

const PER_PAGE = 100;
const PAGES_PER_LOAD = 5;
const SHOWN_STEP = 50;
const DEFAULT_SINCE_DAYS = 7;

export async function renderAudit(root) {
    const ids = {ws: uniqueId('audit-ws'), action: uniqueId('audit-action'),
                 actions: uniqueId('audit-actions'), since: uniqueId('audit-since')};
    const workspace = h('select', {id: ids.ws, name: 'workspace_id'},
                        h('option', {value: ''}, 'All workspaces'));
    const action = h('input', {id: ids.action, name: 'action', list: ids.actions, autocomplete: 'off',
                               placeholder: 'e.g. token.created'});
    const actionList = h('datalist', {id: ids.actions});
    const since = h('input', {id: ids.since, name: 'since', type: 'datetime-local', step: 1,
                              value: toLocalInput(new Date(Date.now() - DEFAULT_SINCE_DAYS * 86400000))});
    const apply = h('button', {type: 'submit', class: 'primary'}, 'Show events');
    const filters = h('form', {class: 'card filters', novalidate: true},
        h('div', {class: 'field'}, h('label', {for: ids.ws}, 'Workspace'), workspace),
        h('div', {class: 'field'}, h('label', {for: ids.action}, 'Action'), action, actionList),
        h('div', {class: 'field'}, h('label', {for: ids.since}, 'Since (UTC, empty for all)'), since),
        h('div', {class: 'actions'}, apply));
    const status = h('div', {class: 'page-status'});
    const summary = h('p', {class: 'summary', role: 'status'});
    const list = h('ol', {class: 'events', reversed: true});
    const more = h('div', {class: 'actions more'});

    fill(root,
         h('h1', {}, 'Audit log'),
         h('p', {class: 'lead'},
           'Every token, workspace and SCIM change is recorded with who made it. Newest first; ' +
           'select an event to see its details.'),
         filters, status, summary, list, more);

    const view = {status, summary, list, more, actionList, workspaces: new Map(),
                  events: [], cursor: null, shown: SHOWN_STEP, query: null};

    try {
        const result = await api.listWorkspaces();
        for (const w of result.data || []) {
            view.workspaces.set(w.id, w.name);
            workspace.append(h('option', {value: w.id}, w.name));
        }
    } catch (error) {
        fill(status, message('error', `Could not load the workspaces for the filter. ${error.message}`));
    }

    const run = async () => {
        const sinceValue = since.value ? new Date(`${since.value}Z`) : null;
        if (sinceValue && Number.isNaN(sinceValue.getTime())) {
            fill(status, message('error', 'The "since" time is not a valid date and time.'));
            since.focus();
            return;
        }
        view.query = {
            per_page: PER_PAGE,
            workspace_id: workspace.value || undefined,
            created_after: sinceValue ? sinceValue.toISOString() : undefined,
        };
        view.action = action.value.trim();
        view.events = [];
        view.cursor = null;
        view.shown = SHOWN_STEP;
        apply.disabled = true;
        await load(view);
        apply.disabled = false;
        keepFocus(summary);
    };
    filters.addEventListener('submit', (event) => { event.preventDefault(); run(); });
    await run();
}

// Datetime-local inputs have no time zone; the page treats their value as UTC.
function toLocalInput(date) {
    return date.toISOString().slice(0, 19);
}

async function load(view) {
    fill(view.status, message('info', 'Reading the audit log…'));
    try {
        for (let page = 0; page < PAGES_PER_LOAD; page++) {
            const params = {...view.query};
            if (view.cursor) params.cursor = view.cursor;
            const result = await api.auditPage(params);
            view.events.push(...(result.data || []));
            view.cursor = result.paging?.next_cursor || null;
            if (!view.cursor) break;
        }
        fill(view.status);
    } catch (error) {
        fill(view.status, message('error', `Could not read the audit log. ${error.message}`));
    }
    draw(view);
}

function draw(view) {
    const actions = [...new Set(view.events.map((e) => e.action))].sort();
    fill(view.actionList, actions.map((a) => h('option', {value: a})));

    const matching = view.events.filter((e) => !view.action || e.action === view.action).reverse();
    const shown = matching.slice(0, view.shown);
    fill(view.summary, summaryText(view, matching.length, shown.length));
    fill(view.list, shown.map((e) => eventItem(view, e)));
    view.list.hidden = shown.length === 0;

    const buttons = [];
    if (matching.length > shown.length) {
        buttons.push(h('button', {type: 'button', class: 'secondary', onclick: () => {
            view.shown += SHOWN_STEP;
            draw(view);
        }}, `Show ${Math.min(SHOWN_STEP, matching.length - shown.length)} more`));
    }
    if (view.cursor) {
        buttons.push(h('button', {type: 'button', class: 'secondary', onclick: async (event) => {
            event.currentTarget.disabled = true;
            await load(view);
            keepFocus(view.summary);
        }}, 'Read newer events from the server'));
    }
    fill(view.more, buttons);
}

function summaryText(view, matching, shown) {
    const read = view.events.length;
    if (read === 0) return 'No events match these filters.';
    let text = `Showing ${shown} of ${matching} matching events (${read} read), newest first.`;
    if (view.cursor) {
        text += ' The server has more events after these; read them to see the newest.';
    }
    return text;
}

function eventItem(view, event) {
    const target = event.target ? `${event.target.type}${event.target.id ? ' ' + event.target.id : ''}` : null;
    const actor = event.actor ? (event.actor.name || event.actor.id || event.actor.kind) : null;
    const workspaceName = event.workspace_id
        ? (view.workspaces.get(event.workspace_id) || event.workspace_id) : null;
    const rows = [
        ['Event ID', event.id],
        ['Time', event.created_at],
        ['Action', event.action],
        ['Actor', event.actor ? `${event.actor.kind}${event.actor.id ? ' ' + event.actor.id : ''}` +
                                `${event.actor.name ? ' (' + event.actor.name + ')' : ''}` : null],
        ['Target', target],
        ['Workspace', workspaceName],
        ['Request ID', event.request_id],
        ['Source address', event.source_address],
    ];
    const details = event.details && Object.keys(event.details).length
        ? h('pre', {class: 'details-json'}, JSON.stringify(event.details, null, 2)) : null;
    return h('li', {class: 'event'},
        h('details', {},
          h('summary', {},
            h('span', {class: 'event-time'}, formatTime(event.created_at)),
            h('span', {class: 'event-action'}, event.action),
            actor ? h('span', {class: 'event-actor'}, `by ${actor}`) : null,
            target ? h('span', {class: 'event-target'}, `on ${target}`) : null),
          h('dl', {}, rows.filter(([, v]) => v).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
          details ? [h('p', {class: 'details-title'}, 'Details'), details] : null));
}
