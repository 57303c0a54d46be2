/** Where a Sigma string value must sit in the field value. */
export type Placement = 'exact' | 'contains' | 'startswith' | 'endswith';

export type StringTest = (value: string) => boolean;

/**
 * Compiles a Sigma string value (with `*` / `?` wildcards, `\` escapes) into a test.
 * Case-insensitive unless `cased`: both sides are lower-cased (full Unicode mapping, so `İstanbul` matches
 * `İSTANBUL` although its lower case is one character longer). Values without wildcards use plain string operations.
 */
export function compileSigmaString(pattern: string, placement: Placement, cased: boolean): StringTest {
  const parts = splitWildcards(pattern);
  if (parts.every((part) => typeof part === 'string')) {
    return plainTest(parts.join(''), placement, cased);
  }
  const matcher = compileSigmaMatcher(pattern, placement, cased);
  return cased ? matcher.test : (value) => matcher.test(value.toLowerCase());
}

/**
 * A compiled Sigma string value for callers that lower-case each value once for many tests: unless `cased`, `test`
 * expects its input lower-cased already (`String.prototype.toLowerCase`). `literal` is the (lower-cased unless
 * `cased`) text when the value has no wildcards, so exact values can be looked up in a set.
 */
export interface SigmaMatcher {
  cased: boolean;
  placement: Placement;
  literal: string | undefined;
  test: StringTest;
}

export function compileSigmaMatcher(pattern: string, placement: Placement, cased: boolean): SigmaMatcher {
  const parts = splitWildcards(pattern);
  const fold = (text: string) => (cased ? text : text.toLowerCase());
  if (parts.every((part) => typeof part === 'string')) {
    const literal = fold(parts.join(''));
    return { cased, placement, literal, test: placed(literal, placement) };
  }
  let source = parts
    .map((part) => (typeof part === 'string' ? escapeRegExp(fold(part)) : part.wildcard === '*' ? '.*' : '.'))
    .join('');
  if (placement === 'contains' || placement === 'endswith') source = `.*${source}`;
  if (placement === 'contains' || placement === 'startswith') source = `${source}.*`;
  const regex = new RegExp(`^(?:${source})$`, 'su');
  return { cased, placement, literal: undefined, test: (value) => regex.test(value) };
}

function placed(needle: string, placement: Placement): StringTest {
  switch (placement) {
    case 'exact':
      return (value) => value === needle;
    case 'contains':
      return (value) => value.includes(needle);
    case 'startswith':
      return (value) => value.startsWith(needle);
    case 'endswith':
      return (value) => value.endsWith(needle);
  }
}

function plainTest(needle: string, placement: Placement, cased: boolean): StringTest {
  if (cased) return placed(needle, placement);
  const target = needle.toLowerCase();
  // Lower-casing never shortens a string (it can lengthen it: İ → i̇), so a value longer than the needle is never equal.
  switch (placement) {
    case 'exact':
      return (value) => value.length <= target.length && value.toLowerCase() === target;
    case 'contains':
      return (value) => value.toLowerCase().includes(target);
    case 'startswith':
      return (value) => value.toLowerCase().startsWith(target);
    case 'endswith':
      return (value) => value.toLowerCase().endsWith(target);
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
