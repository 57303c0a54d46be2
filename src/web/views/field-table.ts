import type { StoredEvent } from '../../store/types.ts';
import { html, raw, type SafeHtml } from '../html.ts';
import type { Params } from '../query-params.ts';
import { filterHrefs } from '../query-filter.ts';

export interface FieldValue {
  field: string;
  value: string;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * Every leaf of a document as `dotted.field = value`, sorted by field. Array elements keep their field name
 * (one row each); O365's `[{Name, Value}]` lists become `List.Name`.
 */
export function flatten(doc: unknown, prefix = ''): FieldValue[] {
  const out: FieldValue[] = [];
  const walk = (node: unknown, path: string) => {
    if (node === null || node === undefined || node === '') return;
    if (isScalar(node)) out.push({ field: path, value: String(node) });
    else if (Array.isArray(node)) {
      node.forEach((item, i) => {
        if (item && typeof item === 'object' && !Array.isArray(item) && 'Name' in item && 'Value' in item) {
          const { Name, Value } = item as { Name: unknown; Value: unknown };
          walk(Value, `${path}.${String(Name)}`);
        } else if (isScalar(item) || item === null) walk(item, path);
        else walk(item, `${path}.${i}`);
      });
    } else if (typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) walk(value, path ? `${path}.${key}` : key);
    }
  };
  walk(doc, prefix);
  return out.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}

const MAX_VALUE = 2000;

// Icons drawn in the text colour (no font has to carry the glyphs).
const svg = (body: string) =>
  raw(
    `<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.5">${body}</svg>`,
  );
const PLUS = svg('<circle cx="8" cy="8" r="6.25"/><path d="M8 5v6M5 8h6"/>');
const MINUS = svg('<circle cx="8" cy="8" r="6.25"/><path d="M5 8h6"/>');
const COPY = svg('<rect x="5.5" y="5.5" width="8" height="8" rx="1.5"/><path d="M3.5 10.5h-1v-8h8v1"/>');

function fieldRow(params: Params, row: FieldValue, ecs: boolean, event: StoredEvent): SafeHtml {
  const hrefs = filterHrefs(params, { name: row.field, ecs }, row.value, event);
  const shown = row.value.length > MAX_VALUE ? `${row.value.slice(0, MAX_VALUE)}…` : row.value;
  return html`<tr data-field="${row.field}">
  <th scope="row" class="mono">${row.field}</th>
  <td class="value mono">${shown}</td>
  <td class="actions nowrap"><a class="act filter-for" href="${hrefs.include}" title="Filter for this value" aria-label="Filter for ${row.field} = ${row.value}">${PLUS}</a><a class="act filter-out" href="${hrefs.exclude}" title="Filter out this value" aria-label="Filter out ${row.field} = ${row.value}">${MINUS}</a><button type="button" class="act copy-value" data-value="${row.value}" title="Copy the value" aria-label="Copy ${row.field}">${COPY}</button></td>
</tr>`;
}

/** The fields of one document with filter-for / filter-out / copy on each value. */
export function fieldTable(doc: unknown, options: { id: string; ecs: boolean; params: Params; event: StoredEvent }): SafeHtml {
  const rows = flatten(doc);
  if (rows.length === 0) return html`<p class="muted">No fields.</p>`;
  return html`<div class="field-filter"><input type="search" class="field-search" data-table="${options.id}" placeholder="Filter fields" aria-label="Filter fields" autocomplete="off"></div>
<table class="fields" id="${options.id}"><tbody>${rows.map((r) => fieldRow(options.params, r, options.ecs, options.event))}</tbody></table>`;
}
