const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * PostgreSQL text holds no NUL and no lone surrogate: NULs are dropped and lone surrogates replaced (U+FFFD), in what
 * is stored and in what is searched alike, so neither a record nor a query fails on them.
 */
export function pgText(value: string): string {
  return value.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD');
}
