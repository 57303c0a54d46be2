const REDACTED = '[redacted]';
/** Shorter configured values are not scrubbed everywhere (they would garble ordinary words); pass them explicitly. */
const MIN_REGISTERED_LENGTH = 6;

/** Every configured secret (each Secret registers itself), in the forms an echo can take: raw, JSON-escaped, URL-encoded. */
const registered = new Set<string>();
/** Their first characters: a line is matched against the (large) pattern only when one of these occurs in it. */
const prefixes = new Set<string>();
let registeredPattern: RegExp | undefined;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function variantsOf(value: string): string[] {
  return [
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
  ];
}

/** Adds a secret value to the set scrubbed from every log line, stored error and health answer. */
export function registerSecret(value: string): void {
  if (value.length < MIN_REGISTERED_LENGTH) return;
  for (const variant of variantsOf(value)) {
    if (registered.has(variant)) continue;
    registered.add(variant);
    prefixes.add(variant.slice(0, MIN_REGISTERED_LENGTH));
    registeredPattern = undefined;
  }
}

function mayHoldRegistered(text: string): boolean {
  for (let i = 0; i + MIN_REGISTERED_LENGTH <= text.length; i += 1) {
    if (prefixes.has(text.slice(i, i + MIN_REGISTERED_LENGTH))) return true;
  }
  return false;
}

function patternOf(values: Iterable<string>): RegExp | undefined {
  const sorted = [...values].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  return sorted.length > 0 ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : undefined;
}

/** Patterns of credentials whatever their value: PEM private keys, JWTs, authorization values, URL passwords, secret parameters. */
const CREDENTIAL_PATTERNS: readonly [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  [/\b(Bearer|Basic|Splunk|ApiKey)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, `$1${REDACTED}@`],
  [
    /\b(client_secret|client_assertion|access_token|refresh_token|id_token|password|passwd|apikey|api_key|sig|token)=[^&\s"'\\]+/gi,
    `$1=${REDACTED}`,
  ],
];

/**
 * Text fit for a log, the state store or the health API: every registered secret and the given `extra` ones,
 * PEM private keys, JWT-looking strings (access tokens, client assertions), bearer/basic values, URL passwords
 * and secret query/form parameters are replaced by "[redacted]".
 */
export function scrubSecrets(text: string, extra: readonly string[] = []): string {
  let out = text;
  if (prefixes.size > 0 && mayHoldRegistered(out)) {
    registeredPattern ??= patternOf(registered);
    if (registeredPattern) out = out.replace(registeredPattern, REDACTED);
  }
  if (extra.length > 0) {
    const pattern = patternOf(extra.flatMap(variantsOf));
    if (pattern) out = out.replace(pattern, REDACTED);
  }
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
