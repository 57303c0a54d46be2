import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { DetectionSyntaxError, RuleError } from './errors.ts';
import { parseRuleDocument } from './parse-rule.ts';
import { RuleCollection } from './rule-collection.ts';
import type { FilterRule, LoadedRule } from './types.ts';

export interface LoadedRuleSet {
  /** Detection and correlation rules, in load order. */
  rules: LoadedRule[];
  filters: FilterRule[];
  /** One per unusable file or document; the other rules still load. */
  errors: RuleError[];
}

export interface LoadRulesOptions {
  /** Rules already loaded (e.g. the bundled set): ids here are taken, a later duplicate is an error. */
  existing?: LoadedRule[];
  /** Treats every rule as written for this logsource product (checking a corpus of rules for other products). */
  forceProduct?: string;
}

/** The folder of the rule set shipped with o365-intake. */
export function bundledRulesDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'rules');
}

/**
 * Loads Sigma rules, correlation rules and filters from files and folders (recursively, *.yml / *.yaml).
 * A bad file or document gives a RuleError naming the file and the problem; everything else still loads.
 */
export function loadRules(paths: string[], opts: LoadRulesOptions = {}): LoadedRuleSet {
  const out: LoadedRuleSet = { rules: [], filters: [], errors: [] };
  const ids = new Set((opts.existing ?? []).map((r) => r.id));
  for (const path of paths) {
    for (const file of ruleFiles(path, out.errors)) loadFile(file, out, ids, opts.forceProduct);
  }
  filterAggregationSearches(out);
  return out;
}

/** A filter naming a Sigma v1 aggregation rule applies to the events its search matches (`<id>:search`). */
function filterAggregationSearches(out: LoadedRuleSet): void {
  const searches = new Map<string, string[]>();
  for (const rule of out.rules) {
    if (rule.kind !== 'detection' || !rule.searchOf) continue;
    const aggregation = out.rules.find((r) => r.id === rule.searchOf);
    for (const key of [rule.searchOf, ...(aggregation?.name ? [aggregation.name] : [])])
      searches.set(key, [...(searches.get(key) ?? []), rule.id]);
  }
  if (searches.size === 0) return;
  for (const filter of out.filters) {
    const added = filter.rules.flatMap((ref) => searches.get(ref) ?? []).filter((id) => !filter.rules.includes(id));
    filter.rules.push(...added);
  }
}

function ruleFiles(path: string, errors: RuleError[]): string[] {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    errors.push(new RuleError(path, 'no such file or folder'));
    return [];
  }
  if (stat.isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = join(path, entry.name);
      if (entry.isDirectory()) return ruleFiles(full, errors);
      return /\.ya?ml$/i.test(entry.name) ? [full] : [];
    });
}

function loadFile(file: string, out: LoadedRuleSet, ids: Set<string>, forceProduct: string | undefined): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    out.errors.push(new RuleError(file, `cannot read: ${(err as Error).message}`));
    return;
  }
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const collection = new RuleCollection();
  list.forEach((doc, index) => {
    const where = list.length > 1 ? `${file}#${index + 1}` : file;
    if (doc.errors.length > 0) {
      out.errors.push(new RuleError(where, `invalid YAML: ${doc.errors[0]!.message}`));
      return;
    }
    let value: unknown;
    try {
      value = collection.resolve(doc.toJS());
    } catch (err) {
      if (err instanceof DetectionSyntaxError) out.errors.push(new RuleError(where, err.message));
      else throw err;
      return;
    }
    if (value === null || value === undefined) return;
    const logsource = (value as { logsource?: unknown }).logsource;
    if (forceProduct && typeof logsource === 'object' && logsource !== null)
      (logsource as Record<string, unknown>).product = forceProduct;
    const ruleId = typeof (value as { id?: unknown }).id === 'string' ? (value as { id: string }).id : undefined;
    try {
      const parsed = parseRuleDocument(value, file);
      for (const p of parsed)
        if (p.kind !== 'filter' && ids.has(p.id)) throw new DetectionSyntaxError(`duplicate rule id "${p.id}"`);
      for (const p of parsed) {
        if (p.kind === 'filter') out.filters.push(p);
        else {
          ids.add(p.id);
          out.rules.push(p);
        }
      }
    } catch (err) {
      if (err instanceof DetectionSyntaxError) out.errors.push(new RuleError(where, err.message, ruleId));
      else throw err;
    }
  });
}
