// Small progressive enhancements; every page works without this script.

// Whole table rows open their detail page (links and buttons inside keep their own behaviour).
document.addEventListener('click', (event) => {
  const target = event.target;
  if (!(target instanceof Element) || target.closest('a, button, input, select')) return;
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

// "Live": reload the first page of results every 30 s (remembered across pages; never while paging back in time).
const live = document.getElementById('live');
if (live instanceof HTMLInputElement) {
  const paging = new URLSearchParams(window.location.search).has('cursor');
  live.checked = localStorage.getItem('o365-intake.live') === '1' && !paging;
  live.disabled = paging;
  let timer;
  const arm = () => {
    clearTimeout(timer);
    if (live.checked) timer = setTimeout(() => window.location.reload(), 30_000);
  };
  live.addEventListener('change', () => {
    localStorage.setItem('o365-intake.live', live.checked ? '1' : '0');
    arm();
  });
  arm();
}
