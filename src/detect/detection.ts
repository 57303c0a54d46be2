import { parseCondition, type ConditionNode } from './condition.ts';
import { DetectionSyntaxError } from './errors.ts';
import { compileFieldClause } from './field-clause.ts';
import { allFoldedStrings } from './field-lookup.ts';
import type { DetectableEvent, EventPredicate } from './types.ts';
import { compileSigmaMatcher, compileSigmaString } from './wildcard.ts';

/**
 * Compiles a Sigma `detection:` block (search identifiers + condition) into one predicate.
 * Maps are AND, lists of maps are OR, lists of plain values are keywords (full-text, ORed; `|all` ANDs them).
 */
export function compileDetection(detection: unknown): EventPredicate {
  if (!isMap(detection)) throw new DetectionSyntaxError('detection must be a map of search identifiers and a condition');
  const { condition, timeframe, ...searches } = detection;
  if (timeframe !== undefined)
    throw new DetectionSyntaxError('"timeframe" without an aggregation ("| count() ...") means nothing; remove it');
  if (condition === undefined) throw new DetectionSyntaxError('detection has no condition');
  const conditions = Array.isArray(condition) ? condition : [condition];
  if (conditions.length === 0 || !conditions.every((c) => typeof c === 'string'))
    throw new DetectionSyntaxError('condition must be a string or a list of strings');

  const identifiers = new Map<string, EventPredicate>();
  for (const [name, search] of Object.entries(searches)) identifiers.set(name, compileSearch(name, search));
  const predicates = (conditions as string[]).map((text) => compileNode(parseCondition(text), identifiers));
  return anyOf(predicates);
}

function compileSearch(name: string, search: unknown): EventPredicate {
  try {
    if (isMap(search)) return compileMap(search);
    if (Array.isArray(search)) {
      if (search.length === 0) throw new DetectionSyntaxError('empty list');
      if (search.every(isMap)) {
        return anyOf(search.map(compileMap));
      }
      if (search.some(isMap)) throw new DetectionSyntaxError('a list mixes maps and plain values');
      return compileKeywords(search, false);
    }
    if (typeof search === 'string' || typeof search === 'number') return compileKeywords([search], false);
    throw new DetectionSyntaxError('must be a map, a list of maps, or a list of keywords');
  } catch (err) {
    if (err instanceof DetectionSyntaxError) throw new DetectionSyntaxError(`search "${name}": ${err.message}`);
    throw err;
  }
}

function compileMap(map: Record<string, unknown>): EventPredicate {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new DetectionSyntaxError('empty map');
  const clauses = entries.map(([key, value]) => {
    if (key === '|all') return compileKeywords(Array.isArray(value) ? value : [value], true);
    return compileFieldClause(key, value);
  });
  return allOf(clauses);
}

// The predicates below run for every candidate rule on every event: indexed loops, nothing allocated per call.

function anyOf(predicates: EventPredicate[]): EventPredicate {
  if (predicates.length === 1) return predicates[0]!;
  return (event) => {
    for (let i = 0; i < predicates.length; i++) if (predicates[i]!(event)) return true;
    return false;
  };
}

function allOf(predicates: EventPredicate[]): EventPredicate {
  if (predicates.length === 1) return predicates[0]!;
  return (event) => {
    for (let i = 0; i < predicates.length; i++) if (!predicates[i]!(event)) return false;
    return true;
  };
}

/** Keywords: each matches when any string value of the event contains it (wildcards allowed). */
function compileKeywords(words: unknown[], all: boolean): EventPredicate {
  const tests = words.map((word) => {
    if (typeof word !== 'string' && typeof word !== 'number') throw new DetectionSyntaxError('keywords must be strings');
    // Case-insensitive: tested on the event's strings lower-cased once (see allFoldedStrings).
    return compileSigmaMatcher(String(word), 'contains', false).test;
  });
  return (event: DetectableEvent) => {
    const strings = allFoldedStrings(event);
    for (const test of tests) {
      const hit = strings.some(test);
      if (hit !== all) return hit;
    }
    return all;
  };
}

function compileNode(node: ConditionNode, identifiers: Map<string, EventPredicate>): EventPredicate {
  switch (node.op) {
    case 'and': {
      const l = compileNode(node.left, identifiers);
      const r = compileNode(node.right, identifiers);
      return (e) => l(e) && r(e);
    }
    case 'or': {
      const l = compileNode(node.left, identifiers);
      const r = compileNode(node.right, identifiers);
      return (e) => l(e) || r(e);
    }
    case 'not': {
      const inner = compileNode(node.operand, identifiers);
      return (e) => !inner(e);
    }
    case 'ref': {
      const found = identifiers.get(node.name);
      if (!found) throw new DetectionSyntaxError(`condition references "${node.name}", which is not defined`);
      return found;
    }
    case 'of': {
      const matcher = node.pattern === '*' ? (n: string) => !n.startsWith('_') : compileSigmaString(node.pattern, 'exact', true);
      const selected = [...identifiers].filter(([n]) => matcher(n)).map(([, p]) => p);
      if (selected.length === 0) throw new DetectionSyntaxError(`"${node.pattern}" matches no search identifier`);
      if (node.quantity === 'all') return allOf(selected);
      const needed = node.quantity;
      return (e) => {
        let hits = 0;
        for (let i = 0; i < selected.length; i++) if (selected[i]!(e) && ++hits >= needed) return true;
        return false;
      };
    }
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
