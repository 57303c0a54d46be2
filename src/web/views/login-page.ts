import { html, type SafeHtml } from '../html.ts';
import { errorBanner, layout } from './layout.ts';

export function loginPage(next: string, error?: string): SafeHtml {
  return layout(
    'Sign in',
    'login',
    html`
<form class="login" method="post" action="/login">
  <h1>Sign in</h1>
  <p class="muted">Enter the access token: <code>web.auth_token</code> in the config, or the one printed at first start (kept in <code>data/web-token</code>).</p>
  ${errorBanner(error)}
  <input type="hidden" name="next" value="${next}">
  <label><span>Token</span><input type="password" name="token" autocomplete="current-password" required autofocus></label>
  <label><span>Your name</span><input name="name" autocomplete="username" maxlength="80" placeholder="shown in alert triage and the audit log"></label>
  <button type="submit" class="primary">Sign in</button>
</form>`,
  );
}
