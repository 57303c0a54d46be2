import { html, type SafeHtml } from '../html.ts';

export type Section = 'events' | 'alerts' | 'health' | 'audit' | 'login';

const NAV: { section: Section; href: string; label: string }[] = [
  { section: 'events', href: '/events', label: 'Events' },
  { section: 'alerts', href: '/alerts', label: 'Alerts' },
  { section: 'health', href: '/health', label: 'Health' },
  { section: 'audit', href: '/audit', label: 'Audit' },
];

export function layout(title: string, section: Section, body: SafeHtml): SafeHtml {
  const nav =
    section === 'login'
      ? ''
      : html`
    <nav>${NAV.map((n) => html`<a href="${n.href}"${n.section === section ? html` class="active" aria-current="page"` : ''}>${n.label}</a>`)}</nav>
    <form method="post" action="/logout" class="logout"><button type="submit" class="link">Sign out</button></form>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · o365-intake</title>
<link rel="stylesheet" href="/static/app.css">
<script type="module" src="/static/app.js"></script>
</head>
<body>
<header class="top"><a class="brand" href="/events">o365<span>-intake</span></a>${nav}</header>
<main>${body}</main>
<footer class="attribution">IP country and network data:
<a href="https://db-ip.com" rel="noopener">IP Geolocation by DB-IP</a>, <a href="https://www.routeviews.org/" rel="noopener">RouteViews</a>
and <a href="https://www.nro.net/" rel="noopener">nro.net</a> via ip-location-db (CC BY 4.0)</footer>
</body>
</html>`;
}

export function errorBanner(message: string | undefined): SafeHtml {
  return message ? html`<p class="banner error" role="alert">${message}</p>` : html``;
}

export function notFoundPage(what: string): SafeHtml {
  return layout(
    'Not found',
    'events',
    html`<h1>Not found</h1><p class="muted">${what}</p><p><a href="/events">Back to events</a></p>`,
  );
}

/** A request that could not be carried out (a form with a bad value): the reason and a way back. */
export function problemPage(message: string, back: string): SafeHtml {
  return layout(
    'Not done',
    'alerts',
    html`<h1>That could not be done</h1>${errorBanner(message)}<p><a class="button" href="${back}">Back</a></p>`,
  );
}
