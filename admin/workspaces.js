// Workspaces page: list and create.

import {api} from './api.js';
import {announce, fill, formatTime, h, keepFocus, message, uniqueId} from './dom.js';
import {dataTable} from './table.js';

export async function renderWorkspaces(root) {
    const status = h('div', {class: 'page-status'});
    const listArea = h('section', {'aria-labelledby': 'ws-list-title'},
                       h('h2', {id: 'ws-list-title'}, 'Workspaces'),
                       h('p', {class: 'loading'}, 'Loading workspaces…'));
    const nameId = uniqueId('ws-name');
    const name = h('input', {id: nameId, name: 'name', required: true, maxlength: 200,
                             autocomplete: 'off', placeholder: 'e.g. engineering'});
    const formStatus = h('div', {class: 'form-status'});
    const submit = h('button', {type: 'submit', class: 'primary'}, 'Create workspace');
    const form = h('form', {novalidate: true},
        h('div', {class: 'field'}, h('label', {for: nameId}, 'Name'), name),
        h('p', {class: 'hint'}, 'Names are unique within the organization.'),
        formStatus,
        h('div', {class: 'actions'}, submit));

    fill(root,
         h('h1', {}, 'Workspaces'),
         h('p', {class: 'lead'},
           'Workspaces group tokens and audit events; a workspace token reaches only its own workspace.'),
         status,
         h('section', {'aria-labelledby': 'ws-create-title', class: 'card'},
           h('h2', {id: 'ws-create-title'}, 'Create a workspace'), form),
         listArea);

    const load = async () => {
        const result = await api.listWorkspaces();
        const columns = [
            {label: 'Name', cell: (w) => h('span', {class: 'ws-name'}, w.name)},
            {label: 'ID', cell: (w) => h('code', {}, w.id)},
            {label: 'Created', cell: (w) => formatTime(w.created_at)},
        ];
        fill(listArea,
             h('h2', {id: 'ws-list-title'}, 'Workspaces'),
             dataTable({caption: 'Workspaces of the organization', columns, rows: result.data || [],
                        empty: 'No workspaces yet.'}));
    };

    form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const value = name.value.trim();
        if (!value) {
            fill(formStatus, message('error', 'Give the workspace a name.'));
            name.focus();
            return;
        }
        submit.disabled = true;
        fill(formStatus, message('info', 'Creating the workspace…'));
        try {
            const created = await api.createWorkspace(value);
            fill(formStatus);
            form.reset();
            const text = `Workspace "${created.name}" created.`;
            fill(status, message('success', text));
            announce(text);
            await load();
        } catch (error) {
            fill(formStatus, message('error', `The workspace was not created. ${error.message}`));
        } finally {
            submit.disabled = false;
            keepFocus(name);
        }
    });

    try {
        await load();
    } catch (error) {
        fill(listArea, message('error', `Could not load the workspaces. ${error.message}`));
    }
}
