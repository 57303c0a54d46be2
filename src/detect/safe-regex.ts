import { createRequire } from 'node:module';
import { DetectionSyntaxError } from './errors.ts';
import type { StringTest } from './wildcard.ts';

/** Longest field value a guarded (backtracking) regex is run on; longer values are cut to this length. */
export const MAX_REGEX_INPUT = 16_384;

interface Re2Like {
  test(input: string | Buffer): boolean;
}
type Re2Constructor = new (pattern: string, flags?: string) => Re2Like;

const re2 = loadRe2();

function loadRe2(): Re2Constructor | undefined {
  try {
    return createRequire(import.meta.url)('re2') as Re2Constructor;
  } catch {
    return undefined;
  }
}

/** Which regex engine `re` rules run on: RE2 (linear time) when its native module loads, else guarded RegExp. */
export const regexEngine: 're2' | 'guarded' = re2 ? 're2' : 'guarded';

/**
 * Compiles a Sigma `re` value (search semantics: unanchored unless the pattern anchors itself).
 * With RE2 the match time is linear in the input. Without it, patterns that can backtrack
 * exponentially (a quantified group that itself contains a quantifier or an alternation, back-references,
 * look-arounds) are rejected at load time, and inputs are cut to MAX_REGEX_INPUT characters.
 */
export function compileRegex(pattern: string, flags: string): StringTest {
  return compileRegexMatcher(pattern, flags).test;
}

/**
 * `compileRegex`, plus (with RE2) the same test on the value's UTF-8 bytes: RE2 matches UTF-8, and handing it a
 * string costs a conversion per call, ten times the match itself for a short value. Callers that test one value
 * against several patterns convert it once (see `lookupUtf8`).
 */
export function compileRegexMatcher(pattern: string, flags: string): { test: StringTest; testUtf8?: (utf8: Buffer) => boolean } {
  if (re2) {
    let compiled: Re2Like;
    try {
      compiled = new re2(pattern, flags);
    } catch (err) {
      throw new DetectionSyntaxError(`invalid regular expression /${pattern}/: ${(err as Error).message}`);
    }
    return { test: (value) => compiled.test(value), testUtf8: (utf8) => compiled.test(utf8) };
  }
  const danger = backtrackingRisk(pattern);
  if (danger) throw new DetectionSyntaxError(`regular expression /${pattern}/ rejected: ${danger}`);
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern, flags);
  } catch (err) {
    throw new DetectionSyntaxError(`invalid regular expression /${pattern}/: ${(err as Error).message}`);
  }
  return { test: (value) => compiled.test(value.length > MAX_REGEX_INPUT ? value.slice(0, MAX_REGEX_INPUT) : value) };
}

/** Why a pattern could backtrack catastrophically, or undefined when it looks safe. */
export function backtrackingRisk(pattern: string): string | undefined {
  if (/\\[1-9]|\\k</.test(pattern)) return 'back-references are not allowed';
  if (/\(\?<?[=!]/.test(pattern)) return 'look-around assertions are not allowed';
  // Track, for each open group, whether it contains a quantifier or an alternation.
  const stack: { risky: boolean }[] = [];
  let lastGroupRisky = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      i++;
      lastGroupRisky = false;
      continue;
    }
    if (ch === '[') {
      i = skipClass(pattern, i);
      lastGroupRisky = false;
      continue;
    }
    if (ch === '(') {
      stack.push({ risky: false });
      lastGroupRisky = false;
      continue;
    }
    if (ch === ')') {
      const group = stack.pop();
      lastGroupRisky = group?.risky ?? false;
      if (group?.risky && stack.length > 0) stack[stack.length - 1]!.risky = true;
      continue;
    }
    if (ch === '|') {
      if (stack.length > 0) stack[stack.length - 1]!.risky = true;
      lastGroupRisky = false;
      continue;
    }
    if (ch === '*' || ch === '+' || ch === '{' || ch === '?') {
      const isQuantifier = ch !== '?' || !(pattern[i - 1] === '(');
      if (isQuantifier && ch !== '?' && lastGroupRisky)
        return 'nested quantifier (a repeated group that contains a quantifier or alternation)';
      if (isQuantifier && stack.length > 0 && ch !== '?') stack[stack.length - 1]!.risky = true;
      if (ch === '{') i = Math.max(i, pattern.indexOf('}', i));
      lastGroupRisky = false;
      continue;
    }
    lastGroupRisky = false;
  }
  return undefined;
}

function skipClass(pattern: string, start: number): number {
  for (let i = start + 1; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']' && i > start + 1) return i;
  }
  return pattern.length;
}
