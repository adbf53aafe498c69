// Data tables that stay readable on a narrow screen: below the CSS breakpoint each row becomes
// a card and each cell shows its column name (from data-label) in front of its value.

import {h} from './dom.js';

// columns: [{label, cell: (row) => Node|string|null, class?}]
export function dataTable({caption, columns, rows, empty}) {
    if (rows.length === 0) {
        return h('p', {class: 'empty'}, empty);
    }
    return h('div', {class: 'table-wrap'},
        h('table', {class: 'data'},
          h('caption', {class: 'visually-hidden'}, caption),
          h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col'}, c.label)))),
          h('tbody', {}, rows.map((row) => h('tr', {},
              columns.map((c) => {
                  const value = c.cell(row);
                  return h('td', {'data-label': c.label, class: c.class || null},
                           value === null || value === undefined || value === '' ? h('span', {class: 'none'}, '—') : value);
              }))))));
}
