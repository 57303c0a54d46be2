import { BlockList, isIP } from 'node:net';
import { DetectionSyntaxError } from './errors.ts';
import { type FieldRef, fieldRef, lookupFolded, lookupRef, lookupUtf8 } from './field-lookup.ts';
import { compileRegexMatcher } from './safe-regex.ts';
import type { DetectableEvent, EventPredicate } from './types.ts';
import { base64, base64Offsets, encode, windashVariants, type Encoding } from './value-encoding.ts';
import {
  compileSigmaMatcher,
  compileSigmaString,
  escapeSigma,
  type Placement,
  type SigmaMatcher,
  type StringTest,
} from './wildcard.ts';

const KNOWN_MODIFIERS = new Set([
  'contains',
  'startswith',
  'endswith',
  'all',
  'exists',
  'cased',
  'neq',
  're',
  'i',
  'm',
  's',
  'windash',
  'base64',
  'base64offset',
  'utf16le',
  'utf16be',
  'utf16',
  'wide',
  'lt',
  'lte',
  'gt',
  'gte',
  'cidr',
  'fieldref',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'expand',
]);
const COMPARISONS = ['lt', 'lte', 'gt', 'gte'] as const;
type Comparison = (typeof COMPARISONS)[number];
const TIME_PARTS = ['minute', 'hour', 'day', 'week', 'month', 'year'] as const;
type TimePart = (typeof TIME_PARTS)[number];

/** One value test on the values found in the field. */
type ValueTest = (values: readonly unknown[], event: DetectableEvent) => boolean;

/**
 * Compiles `field|mod1|mod2: value(s)` (one entry of a selection map) into a predicate.
 * A list of values is ORed, or ANDed with `|all`. A field holding several values (array) matches
 * when one of them matches.
 */
export function compileFieldClause(key: string, rawValue: unknown): EventPredicate {
  const [field, ...modifiers] = key.split('|');
  if (!field) throw new DetectionSyntaxError(`"${key}": missing field name`);
  for (const mod of modifiers) {
    if (!KNOWN_MODIFIERS.has(mod)) throw new DetectionSyntaxError(`"${key}": unknown modifier "${mod}"`);
  }
  if (modifiers.includes('expand')) {
    throw new DetectionSyntaxError(`"${key}": placeholders (|expand) are not supported; replace the placeholder with values`);
  }
  const values = Array.isArray(rawValue) ? rawValue : [rawValue];
  if (values.length === 0) throw new DetectionSyntaxError(`"${key}": empty value list`);
  if (Array.isArray(rawValue) && values.includes(null))
    throw new DetectionSyntaxError(
      `"${key}": null cannot be part of a value list (Sigma); test it in its own selection ("${field}: null") and combine them in the condition`,
    );
  const all = modifiers.includes('all');
  if (all && values.length < 2) throw new DetectionSyntaxError(`"${key}": |all needs at least two values`);

  const ref = fieldRef(field);
  if (modifiers.includes('exists')) {
    if (values.length !== 1 || typeof values[0] !== 'boolean')
      throw new DetectionSyntaxError(`"${key}": |exists takes true or false`);
    const wanted = values[0];
    // Present means present: a field whose value is null exists (Sigma), so does a Name/Value element without Value.
    return (event) => lookupRef(event, ref).length > 0 === wanted;
  }

  const compiled = values.flatMap((value) => compileValue(key, ref, modifiers, value));
  // ORed string values are tested together: each field value is lower-cased once, exact values are a set lookup.
  const tests = all ? compiled.map((c) => (typeof c === 'function' ? c : stringsTest(ref, [c]))) : anyOf(ref, compiled);
  if (modifiers.includes('neq'))
    return (event) => {
      const found = lookupRef(event, ref);
      // The field must be there, and differ from every listed value.
      if (!found.some(isPresent)) return false;
      for (const test of tests) if (test(found, event)) return false;
      return true;
    };
  if (tests.length === 1) {
    const test = tests[0]!;
    return (event) => test(lookupRef(event, ref), event);
  }
  return (event) => {
    const found = lookupRef(event, ref);
    for (let i = 0; i < tests.length; i++) if (tests[i]!(found, event) !== all) return !all;
    return all;
  };
}

function isPresent(value: unknown): boolean {
  return value !== null && value !== undefined;
}

/** The ORed tests of a value list: the string values merged into one test, the others as they are. */
function anyOf(ref: FieldRef, compiled: (ValueTest | SigmaMatcher)[]): ValueTest[] {
  const matchers = compiled.filter((c): c is SigmaMatcher => typeof c !== 'function');
  const others = compiled.filter((c): c is ValueTest => typeof c === 'function');
  return matchers.length > 0 ? [stringsTest(ref, matchers), ...others] : others;
}

/** True when one scalar value of the field matches one of the string matchers (Sigma's OR of a value list). */
function stringsTest(ref: FieldRef, matchers: SigmaMatcher[]): ValueTest {
  const exactCased = new Set<string>();
  const exactFolded = new Set<string>();
  const cased: StringTest[] = [];
  const folded: StringTest[] = [];
  for (const m of matchers) {
    if (m.placement === 'exact' && m.literal !== undefined) (m.cased ? exactCased : exactFolded).add(m.literal);
    else (m.cased ? cased : folded).push(m.test);
  }
  const needsCased = exactCased.size > 0 || cased.length > 0;
  const needsFolded = exactFolded.size > 0 || folded.length > 0;
  // Indexed loops: this runs for every value of every candidate rule, and must not allocate.
  return (found, event) => {
    if (needsCased) {
      for (let i = 0; i < found.length; i++) {
        const v = found[i];
        if (!isScalar(v)) continue;
        const text = String(v);
        if (exactCased.has(text)) return true;
        for (let t = 0; t < cased.length; t++) if (cased[t]!(text)) return true;
      }
    }
    if (needsFolded) {
      const texts = lookupFolded(event, ref);
      for (let i = 0; i < texts.length; i++) {
        const text = texts[i];
        if (text === undefined) continue;
        if (exactFolded.has(text)) return true;
        for (let t = 0; t < folded.length; t++) if (folded[t]!(text)) return true;
      }
    }
    return false;
  };
}

function compileValue(key: string, ref: FieldRef, modifiers: string[], value: unknown): (ValueTest | SigmaMatcher)[] {
  if (value === null) {
    if (modifiers.length > 0 && !modifiers.every((m) => m === 'all'))
      throw new DetectionSyntaxError(`"${key}": null cannot take modifiers`);
    return [(found) => found.every((v) => v === null || v === undefined)];
  }
  if (typeof value === 'object') throw new DetectionSyntaxError(`"${key}": values must be strings, numbers, booleans or null`);
  const text = String(value);
  const cased = modifiers.includes('cased');

  const comparison = COMPARISONS.find((c) => modifiers.includes(c));
  const timePart = TIME_PARTS.find((p) => modifiers.includes(p));
  if (comparison || timePart) return [compileNumeric(key, comparison, timePart, value)];
  if (modifiers.includes('cidr')) return [compileCidr(key, text)];
  if (modifiers.includes('re')) {
    const flags =
      (modifiers.includes('i') ? 'i' : '') + (modifiers.includes('m') ? 'm' : '') + (modifiers.includes('s') ? 's' : '');
    const { test, testUtf8 } = compileRegexMatcher(text, flags);
    if (testUtf8)
      return [
        (_found, event) => {
          const all = lookupUtf8(event, ref);
          for (let i = 0; i < all.length; i++) if (all[i] !== undefined && testUtf8(all[i]!)) return true;
          return false;
        },
      ];
    return [
      (found) => {
        for (const v of found) if (isScalar(v) && test(String(v))) return true;
        return false;
      },
    ];
  }
  const placement: Placement = modifiers.includes('contains')
    ? 'contains'
    : modifiers.includes('startswith')
      ? 'startswith'
      : modifiers.includes('endswith')
        ? 'endswith'
        : 'exact';
  if (modifiers.includes('fieldref')) return [compileFieldRef(text, placement, cased)];

  return encodedPatterns(modifiers, text, ref.path).map((p) => compileSigmaMatcher(p, placement, cased));
}

/** Applies windash / utf16 / base64 / base64offset in the order written; returns Sigma patterns. */
function encodedPatterns(modifiers: string[], text: string, field: string): string[] {
  let patterns = [text];
  let encoding: Encoding = 'utf8';
  let encoded = false;
  for (const mod of modifiers) {
    if (mod === 'windash') patterns = patterns.flatMap(windashVariants);
    else if (mod === 'wide' || mod === 'utf16le') encoding = 'utf16le';
    else if (mod === 'utf16be' || mod === 'utf16') encoding = mod;
    else if (mod === 'base64') {
      patterns = patterns.map((p) => escapeSigma(base64(encode(p, encoding))));
      encoded = true;
    } else if (mod === 'base64offset') {
      patterns = patterns.flatMap((p) => base64Offsets(encode(p, encoding)).map(escapeSigma));
      encoded = true;
    }
  }
  if (encoding !== 'utf8' && !encoded)
    throw new DetectionSyntaxError(`"${field}": utf16/wide must be followed by base64 or base64offset`);
  return patterns;
}

function compileNumeric(
  key: string,
  comparison: Comparison | undefined,
  timePart: TimePart | undefined,
  value: unknown,
): ValueTest {
  const target = Number(value);
  if (!Number.isFinite(target)) throw new DetectionSyntaxError(`"${key}": ${String(value)} is not a number`);
  const extract = timePart ? (v: unknown) => datePart(v, timePart) : toNumber;
  const compare = (n: number): boolean => {
    switch (comparison) {
      case 'lt':
        return n < target;
      case 'lte':
        return n <= target;
      case 'gt':
        return n > target;
      case 'gte':
        return n >= target;
      case undefined:
        return n === target;
    }
  };
  return (found) => {
    for (const v of found) {
      const n = extract(v);
      if (n !== undefined && compare(n)) return true;
    }
    return false;
  };
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function datePart(value: unknown, part: TimePart): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const date = new Date(typeof value === 'string' && /^\d{4}-\d\d-\d\dT[\d:.]+$/.test(value) ? `${value}Z` : value);
  if (Number.isNaN(date.getTime())) return undefined;
  switch (part) {
    case 'minute':
      return date.getUTCMinutes();
    case 'hour':
      return date.getUTCHours();
    case 'day':
      return date.getUTCDate();
    case 'month':
      return date.getUTCMonth() + 1;
    case 'year':
      return date.getUTCFullYear();
    case 'week': {
      // ISO 8601 week number.
      const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
      d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
      const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
      return Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
    }
  }
}

function compileCidr(key: string, text: string): ValueTest {
  const [network, prefixText] = text.split('/');
  const prefix = Number(prefixText);
  const family = network ? isIP(network) : 0;
  if (!network || family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
    throw new DetectionSyntaxError(`"${key}": "${text}" is not a CIDR range (e.g. 10.0.0.0/8 or 2001:db8::/32)`);
  }
  const list = new BlockList();
  list.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return (found) =>
    found.some((v) => {
      if (typeof v !== 'string') return false;
      const ip = stripPort(v);
      const f = isIP(ip);
      if (f === 0) return false;
      if (f === 4 && type === 'ipv6') return list.check(`::ffff:${ip}`, 'ipv6');
      return list.check(ip, f === 4 ? 'ipv4' : 'ipv6');
    });
}

/** `1.2.3.4:5678` and `[2001:db8::1]:443` → the bare address (O365 ClientIP often carries a port). */
function stripPort(value: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1]!;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value);
  return v4 ? v4[1]! : value;
}

function compileFieldRef(otherField: string, placement: Placement, cased: boolean): ValueTest {
  const other = fieldRef(otherField);
  return (found, event) => {
    const others = lookupRef(event, other).filter(isScalar);
    if (others.length === 0) return false;
    return others.some((other) => {
      const test: StringTest = compileSigmaString(escapeSigma(String(other)), placement, cased);
      return found.some((v) => isScalar(v) && test(String(v)));
    });
  };
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
