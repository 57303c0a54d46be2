/** Where a Sigma string value must sit in the field value. */
export type Placement = 'exact' | 'contains' | 'startswith' | 'endswith';

export type StringTest = (value: string) => boolean;

/**
 * Compiles a Sigma string value (with `*` / `?` wildcards, `\` escapes) into a test.
 * Case-insensitive unless `cased`. Values without wildcards use plain string operations.
 */
export function compileSigmaString(pattern: string, placement: Placement, cased: boolean): StringTest {
  const parts = splitWildcards(pattern);
  if (parts.every((part) => typeof part === 'string')) {
    return plainTest(parts.join(''), placement, cased);
  }
  let source = parts.map((part) => (typeof part === 'string' ? escapeRegExp(part) : part.wildcard === '*' ? '.*' : '.')).join('');
  if (placement === 'contains' || placement === 'endswith') source = `.*${source}`;
  if (placement === 'contains' || placement === 'startswith') source = `${source}.*`;
  const regex = new RegExp(`^(?:${source})$`, cased ? 's' : 'si');
  return (value) => regex.test(value);
}

function plainTest(needle: string, placement: Placement, cased: boolean): StringTest {
  const target = cased ? needle : needle.toLowerCase();
  const norm = cased ? (v: string) => v : (v: string) => v.toLowerCase();
  switch (placement) {
    case 'exact':
      return (value) => value.length === target.length && norm(value) === target;
    case 'contains':
      return (value) => value.length >= target.length && norm(value).includes(target);
    case 'startswith':
      return (value) => value.length >= target.length && norm(value).startsWith(target);
    case 'endswith':
      return (value) => value.length >= target.length && norm(value).endsWith(target);
  }
}

type Part = string | { wildcard: '*' | '?' };

/** Splits on unescaped wildcards; `\*`, `\?`, `\\` are literals, any other `\` stays a literal backslash. */
function splitWildcards(pattern: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    const next = pattern[i + 1];
    if (ch === '\\' && (next === '*' || next === '?' || next === '\\')) {
      literal += next;
      i++;
    } else if (ch === '*' || ch === '?') {
      if (literal) parts.push(literal);
      literal = '';
      parts.push({ wildcard: ch });
    } else {
      literal += ch;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

/** Escapes Sigma wildcard characters so the text is matched literally. */
export function escapeSigma(text: string): string {
  return text.replace(/[\\*?]/g, (c) => `\\${c}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
