// Small progressive enhancements; every page works without this script.

// Whole table rows open their detail page (links and buttons inside keep their own behaviour).
document.addEventListener('click', (event) => {
  const target = event.target;
  if (!(target instanceof Element) || target.closest('a, button, input, select, textarea, label, td.pick')) return;
  const row = target.closest('tr[data-href]');
  if (!row || window.getSelection()?.toString()) return;
  const href = row.getAttribute('data-href');
  if (href) window.location.assign(href);
});

// "/" focuses the search box.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
  const box = document.querySelector('input.q');
  if (box instanceof HTMLInputElement) {
    event.preventDefault();
    box.focus();
    box.select();
  }
});

// Local time as a tooltip on every UTC timestamp.
for (const el of document.querySelectorAll('time[datetime]')) {
  const date = new Date(el.getAttribute('datetime') ?? '');
  if (!Number.isNaN(date.getTime())) el.setAttribute('title', `${date.toLocaleString()} (local)`);
}

// Copy buttons of the JSON panes.
for (const button of document.querySelectorAll('button[data-copy]')) {
  button.addEventListener('click', async () => {
    const source = document.getElementById(button.getAttribute('data-copy') ?? '');
    if (!source) return;
    try {
      await navigator.clipboard.writeText(source.textContent ?? '');
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed';
    }
    setTimeout(() => {
      button.textContent = 'Copy';
    }, 1500);
  });
}

// Copy one value of a field table (the button flashes its result).
for (const button of document.querySelectorAll('button.copy-value')) {
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(button.getAttribute('data-value') ?? '');
      button.classList.add('copied');
    } catch {
      button.classList.add('copy-failed');
    }
    setTimeout(() => button.classList.remove('copied', 'copy-failed'), 1200);
  });
}

// Narrow a field table to the fields whose name or value contains the typed text.
for (const box of document.querySelectorAll('input.field-search')) {
  const table = document.getElementById(box.getAttribute('data-table') ?? '');
  if (!(box instanceof HTMLInputElement) || !table) continue;
  box.addEventListener('input', () => {
    const needle = box.value.toLowerCase();
    for (const row of table.querySelectorAll('tr')) row.hidden = needle !== '' && !row.textContent.toLowerCase().includes(needle);
  });
}

// Columns of the events table: the hidden ones are remembered in this browser.
const COLUMNS_KEY = 'o365-intake.hidden-columns';
function hiddenColumns() {
  try {
    const list = JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? '[]');
    return new Set(Array.isArray(list) ? list : []);
  } catch {
    return new Set();
  }
}
function applyColumns() {
  const hidden = hiddenColumns();
  for (const table of document.querySelectorAll('table.events')) {
    for (const cell of table.querySelectorAll('[data-col]')) cell.hidden = hidden.has(cell.getAttribute('data-col'));
  }
  for (const toggle of document.querySelectorAll('input[data-col-toggle]')) {
    toggle.checked = !hidden.has(toggle.getAttribute('data-col-toggle'));
  }
}
for (const toggle of document.querySelectorAll('input[data-col-toggle]')) {
  toggle.addEventListener('change', () => {
    const hidden = hiddenColumns();
    const col = toggle.getAttribute('data-col-toggle');
    if (toggle.checked) hidden.delete(col);
    else hidden.add(col);
    localStorage.setItem(COLUMNS_KEY, JSON.stringify([...hidden]));
    applyColumns();
  });
}
applyColumns();

// Sort the shown events by time, newest or oldest first (remembered). On the events page the header is a link
// that re-runs the search in the other order (the whole result is sorted, not only this page).
const SORT_KEY = 'o365-intake.time-order';
function applySort() {
  const ascending = localStorage.getItem(SORT_KEY) === 'asc';
  for (const table of document.querySelectorAll('table.events')) {
    const body = table.tBodies[0];
    if (!body || !table.querySelector('button.sort-time')) continue;
    const rows = [...body.rows].sort((a, b) => {
      const d = Number(a.getAttribute('data-time')) - Number(b.getAttribute('data-time'));
      return ascending ? d : -d;
    });
    body.append(...rows);
    const th = table.querySelector('th[data-col=time]');
    th?.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    const arrow = th?.querySelector('.arrow');
    if (arrow) arrow.textContent = ascending ? '↑' : '↓';
  }
}
for (const button of document.querySelectorAll('button.sort-time')) {
  button.addEventListener('click', () => {
    localStorage.setItem(SORT_KEY, localStorage.getItem(SORT_KEY) === 'asc' ? 'desc' : 'asc');
    applySort();
  });
}
if (localStorage.getItem(SORT_KEY) === 'asc') applySort();

// Live tail: new events arrive by server-sent events and are added to the table (remembered across pages).
function cell(col, className, content) {
  const td = document.createElement('td');
  td.setAttribute('data-col', col);
  if (className) td.className = className;
  if (content instanceof Node) td.append(content);
  else if (content) td.textContent = content;
  return td;
}
function filterAnchor(param, value) {
  if (!value) {
    const dash = document.createElement('span');
    dash.className = 'muted';
    dash.textContent = '—';
    return dash;
  }
  const params = new URLSearchParams(window.location.search);
  params.delete('cursor');
  params.set(param, value);
  const a = document.createElement('a');
  a.className = 'pivot';
  a.href = `/events?${params}`;
  a.title = `Filter on ${value}`;
  a.textContent = value;
  return a;
}
function eventRow(e) {
  const params = new URLSearchParams(window.location.search);
  params.delete('cursor');
  const href = `/events/${encodeURIComponent(e.id)}${params.size ? `?${params}` : ''}`;
  const tr = document.createElement('tr');
  tr.setAttribute('data-href', href);
  tr.setAttribute('data-id', e.id);
  tr.setAttribute('data-time', String(e.time));
  tr.className = `tailed${e.alerted ? ' alerted' : ''}`;
  const time = document.createElement('time');
  const iso = new Date(e.time).toISOString();
  time.setAttribute('datetime', iso);
  time.textContent = iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
  const outcome = document.createElement('span');
  outcome.className = `badge outcome-${e.outcome === 'failure' || e.outcome === 'success' ? e.outcome : 'other'}`;
  outcome.textContent = e.outcome ?? '—';
  const link = document.createElement('a');
  link.href = href;
  link.textContent = e.description;
  tr.append(
    cell('time', 'nowrap mono', time),
    cell('tenant', 'nowrap', filterAnchor('tenant', e.tenantName)),
    cell('action', 'nowrap', filterAnchor('action', e.action)),
    cell('user', 'mono nowrap', filterAnchor('user', e.user)),
    cell('ip', 'mono nowrap', filterAnchor('ip', e.sourceIp)),
    cell('workload', 'nowrap', filterAnchor('workload', e.workload)),
    cell('outcome', '', outcome),
    cell('description', 'desc', link),
  );
  return tr;
}
const live = document.getElementById('live');
const liveStatus = document.getElementById('live-status');
if (live instanceof HTMLInputElement && !live.disabled) {
  const LIVE_KEY = 'o365-intake.live';
  let source;
  let added = 0;
  const say = (text) => {
    if (liveStatus) liveStatus.textContent = text;
  };
  const start = () => {
    // The events stored after this page was read (the page's tail cursor), whatever their event time.
    const params = new URLSearchParams(window.location.search);
    const after = live.getAttribute('data-tail-cursor');
    if (after) params.set('after', after);
    source = new EventSource(`/api/events/tail?${params}`);
    source.addEventListener('open', () => say(added ? `live · ${added} new` : 'live · waiting for events'));
    source.addEventListener('error', () => say('live · reconnecting…'));
    source.addEventListener('failure', (msg) => say(`live · ${JSON.parse(msg.data).message}`));
    source.addEventListener('events', (msg) => {
      const table = document.querySelector('table.events');
      const tbody = table?.tBodies[0];
      if (!tbody) return window.location.reload();
      const ascending = table.querySelector('th[data-col=time]')?.getAttribute('aria-sort') === 'ascending';
      for (const e of JSON.parse(msg.data)) {
        if (tbody.querySelector(`tr[data-id="${CSS.escape(e.id)}"]`)) continue;
        const row = eventRow(e);
        if (ascending) tbody.append(row);
        else tbody.prepend(row);
        added++;
      }
      // A long-running tail keeps the newest MAX_TAIL_ROWS rows, so the page stays light.
      const MAX_TAIL_ROWS = 1000;
      while (tbody.rows.length > MAX_TAIL_ROWS) tbody.rows[ascending ? 0 : tbody.rows.length - 1].remove();
      applyColumns();
      say(`live · ${added} new`);
    });
  };
  const stop = () => {
    source?.close();
    source = undefined;
    say('');
  };
  live.checked = localStorage.getItem(LIVE_KEY) === '1';
  live.addEventListener('change', () => {
    localStorage.setItem(LIVE_KEY, live.checked ? '1' : '0');
    if (live.checked) start();
    else stop();
  });
  if (live.checked) start();
}

// Bulk triage: "select all" and the count of selected alerts.
const bulk = document.querySelector('form.triage.bulk');
if (bulk) {
  const boxes = () => [...document.querySelectorAll('input.select[form]')];
  const count = () => {
    const n = boxes()
      .filter((b) => b.checked)
      .reduce((sum, b) => sum + (b.value.startsWith('[') ? JSON.parse(b.value).length : 1), 0);
    const label = bulk.querySelector('.selected-count');
    if (label) label.textContent = `${n} selected`;
  };
  for (const all of document.querySelectorAll('input.select-all')) {
    all.addEventListener('change', () => {
      for (const b of all.closest('table')?.querySelectorAll('input.select') ?? []) b.checked = all.checked;
      count();
    });
  }
  document.addEventListener('change', (event) => {
    if (event.target instanceof HTMLInputElement && event.target.classList.contains('select')) count();
  });
  count();
}
