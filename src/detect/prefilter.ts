import { parseCondition, type ConditionNode } from './condition.ts';
import { compileSigmaString } from './wildcard.ts';

/** Fields a rule can be indexed on, in order of preference. */
export const INDEX_FIELDS = ['event.action', 'Operation', 'office365.alert.display_name', 'event.kind'] as const;

/** A rule can only match when `field` (compared case-insensitively) has one of `values`. */
export interface IndexKey {
  field: string;
  values: string[];
}

/**
 * Finds a value set that every match of the rule needs on one index field (e.g. `event.action` ∈ {New-InboxRule,
 * Set-InboxRule}), so the detector evaluates the rule only on events that have one of those values. Conservative:
 * undefined whenever the condition does not guarantee it (negations, wildcards, modifiers, keywords).
 */
export function indexKey(detection: Record<string, unknown>): IndexKey | undefined {
  const { condition, ...searches } = detection;
  const conditions = (Array.isArray(condition) ? condition : [condition]) as string[];
  const nodes = conditions.map(parseCondition);
  for (const field of INDEX_FIELDS) {
    const sets = nodes.map((n) => nodeValues(n, searches, field));
    if (sets.every((s): s is Set<string> => s !== undefined)) return { field, values: [...new Set(sets.flatMap((s) => [...s]))] };
  }
  return undefined;
}

function nodeValues(node: ConditionNode, searches: Record<string, unknown>, field: string): Set<string> | undefined {
  switch (node.op) {
    case 'ref':
      return searchValues(searches[node.name], field);
    case 'and':
      return nodeValues(node.left, searches, field) ?? nodeValues(node.right, searches, field);
    case 'or':
      return union([nodeValues(node.left, searches, field), nodeValues(node.right, searches, field)]);
    case 'not':
      return undefined;
    case 'of': {
      const matcher = node.pattern === '*' ? (n: string) => !n.startsWith('_') : compileSigmaString(node.pattern, 'exact', true);
      const selected = Object.keys(searches)
        .filter(matcher)
        .map((name) => searchValues(searches[name], field));
      if (node.quantity === 'all') return selected.find((s) => s !== undefined);
      return union(selected);
    }
  }
}

function searchValues(search: unknown, field: string): Set<string> | undefined {
  if (Array.isArray(search))
    return search.length > 0 && search.every(isMap) ? union(search.map((m) => mapValues(m, field))) : undefined;
  return isMap(search) ? mapValues(search, field) : undefined;
}

function mapValues(map: Record<string, unknown>, field: string): Set<string> | undefined {
  if (!Object.hasOwn(map, field)) return undefined;
  const raw = map[field];
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0) return undefined;
  const out = new Set<string>();
  for (const v of values) {
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
    const text = String(v);
    if (/[*?\\]/.test(text)) return undefined;
    out.add(text.toLowerCase());
  }
  return out;
}

function union(sets: (Set<string> | undefined)[]): Set<string> | undefined {
  if (sets.length === 0 || sets.some((s) => s === undefined)) return undefined;
  return new Set(sets.flatMap((s) => [...s!]));
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
