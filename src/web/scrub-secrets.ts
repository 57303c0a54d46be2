import { Secret } from '../core/secret.ts';

const REDACTED = '[redacted]';

/** Every Secret value found anywhere in a config object (sink configs: intake keys, passwords, tokens, secret headers). */
export function secretsIn(value: unknown, found: string[] = []): string[] {
  if (value instanceof Secret) {
    const revealed = value.reveal();
    if (revealed.length > 0) found.push(revealed);
  } else if (Array.isArray(value)) {
    for (const item of value) secretsIn(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) secretsIn(item, found);
  }
  return found;
}

/**
 * An error message fit for the UI and /healthz: the configured secrets, URL credentials
 * (`scheme://user:password@`) and bearer/basic credentials are replaced by "[redacted]".
 */
export function scrubSecrets(message: string, secrets: readonly string[]): string {
  let text = message;
  for (const secret of secrets) text = text.split(secret).join(REDACTED);
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, `$1${REDACTED}@`)
    .replace(/\b(Bearer|Basic|Splunk|ApiKey)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${REDACTED}`);
}
