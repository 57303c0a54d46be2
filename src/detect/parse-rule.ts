import { ALERT_LEVELS, type AlertLevel } from '../core/alert.ts';
import { type Aggregation, parseAggregation } from './aggregation.ts';
import { compileDetection } from './detection.ts';
import { DetectionSyntaxError } from './errors.ts';
import { indexKey } from './prefilter.ts';
import {
  CORRELATION_TYPES,
  type CorrelationRule,
  type CorrelationType,
  type CountCondition,
  type DetectionRule,
  type FilterRule,
  type RuleMeta,
} from './types.ts';

/** Log sources this engine evaluates (Microsoft 365 audit data); rules for other products are refused. */
export const SUPPORTED_PRODUCTS = ['m365', 'office365', 'o365', 'azure'];

export type ParsedDocument = DetectionRule | CorrelationRule | FilterRule;

/**
 * Turns one YAML document into a rule, correlation or filter (two rules for a Sigma v1 aggregation: its search and the
 * correlation counting it); throws DetectionSyntaxError naming the problem.
 */
export function parseRuleDocument(doc: unknown, file: string): ParsedDocument[] {
  if (!isMap(doc)) throw new DetectionSyntaxError('a rule document must be a YAML map');
  if (doc.action === 'global' || doc.action === 'repeat')
    throw new DetectionSyntaxError(
      `"action: ${String(doc.action)}" (a Sigma v1 rule collection) only means something among the documents of a rule file`,
    );
  if (doc.action === 'correlation') return [parseCorrelation(fromSekoiaDialect(doc), file)];
  if (doc.correlation !== undefined) return [parseCorrelation(doc, file)];
  if (doc.filter !== undefined) return [parseFilter(doc, file)];
  if (doc.detection !== undefined) {
    const detection = doc.detection;
    const aggregation =
      isMap(detection) && typeof detection.condition === 'string' ? parseAggregation(detection.condition) : undefined;
    return aggregation
      ? fromAggregation(doc, detection as Record<string, unknown>, aggregation, file)
      : [parseDetection(doc, file)];
  }
  throw new DetectionSyntaxError('document has neither "detection", "correlation" nor "filter"');
}

/**
 * The window of a Sigma v1 aggregation written without `timeframe` (Sigma v1 left it to the search period of the SIEM,
 * typically a day); a count over all time cannot be evaluated on a stream.
 */
export const DEFAULT_AGGREGATION_TIMEFRAME = '1d';

/**
 * A Sigma v1 aggregation (`selection | count() by user > 5` with `timeframe: 10m`) becomes what it means in Sigma v2:
 * the search as a single-event rule (id `<rule id>:search`, silenced as correlations silence the rules they reference)
 * and a correlation with the rule's id and metadata counting it over the timeframe.
 */
function fromAggregation(
  doc: Record<string, unknown>,
  detection: Record<string, unknown>,
  aggregation: Aggregation,
  file: string,
): [DetectionRule, CorrelationRule] {
  const { timeframe, condition: _condition, ...searches } = detection;
  const span = timeframe ?? doc.timeframe ?? DEFAULT_AGGREGATION_TIMEFRAME;
  const meta = parseMeta(doc, file);
  const { name: _name, timeframe: _timeframe, ...rest } = doc;
  const search = parseDetection(
    { ...rest, id: `${meta.id}:search`, detection: { ...searches, condition: aggregation.search } },
    file,
  );
  search.searchOf = meta.id;
  const correlation: CorrelationRule = {
    ...meta,
    kind: 'correlation',
    type: aggregation.type,
    rules: [search.id],
    groupBy: aggregation.groupBy,
    timespanMs: parseTimespan(span, 'timeframe'),
    condition: aggregation.condition,
    aliases: {},
    generate: false,
  };
  if (aggregation.field) correlation.valueFields = [aggregation.field];
  return [search, correlation];
}

function parseMeta(doc: Record<string, unknown>, file: string): RuleMeta {
  const title = doc.title;
  if (typeof title !== 'string' || title.trim() === '') throw new DetectionSyntaxError('"title" is missing');
  const id = optionalString(doc, 'id');
  const name = optionalString(doc, 'name');
  // Case does not matter (`level: High` is seen in the wild); the alert carries the lower-case level.
  const level = typeof doc.level === 'string' ? doc.level.toLowerCase() : (doc.level ?? 'medium');
  if (!ALERT_LEVELS.includes(level as AlertLevel))
    throw new DetectionSyntaxError(`"level: ${String(level)}" is not one of ${ALERT_LEVELS.join(', ')}`);
  const tags = doc.tags ?? [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string'))
    throw new DetectionSyntaxError('"tags" must be a list of strings');
  const meta: RuleMeta = { id: id ?? name ?? `title:${title}`, title, level: level as AlertLevel, tags, file };
  if (name) meta.name = name;
  const description = optionalString(doc, 'description');
  if (description) meta.description = description.trim();
  const author = optionalString(doc, 'author');
  if (author) meta.author = author;
  const status = optionalString(doc, 'status');
  if (status) meta.status = status;
  if (Array.isArray(doc.fields) && doc.fields.every((f) => typeof f === 'string')) meta.fields = doc.fields as string[];
  return meta;
}

function parseDetection(doc: Record<string, unknown>, file: string): DetectionRule {
  const meta = parseMeta(doc, file);
  const logsource = doc.logsource;
  if (!isMap(logsource)) throw new DetectionSyntaxError('"logsource" is missing');
  const product = optionalString(logsource, 'product');
  if (product && !SUPPORTED_PRODUCTS.includes(product.toLowerCase())) {
    throw new DetectionSyntaxError(
      `logsource product "${product}" is not evaluated here (supported: ${SUPPORTED_PRODUCTS.join(', ')})`,
    );
  }
  const source: DetectionRule['logsource'] = {};
  if (product) source.product = product;
  const service = optionalString(logsource, 'service');
  if (service) source.service = service;
  const category = optionalString(logsource, 'category');
  if (category) source.category = category;
  const rule: DetectionRule = { ...meta, kind: 'detection', logsource: source, match: compileDetection(doc.detection) };
  const index = indexKey(doc.detection as Record<string, unknown>);
  if (index) rule.index = index;
  return rule;
}

function parseFilter(doc: Record<string, unknown>, file: string): FilterRule {
  const title = doc.title;
  if (typeof title !== 'string' || title.trim() === '') throw new DetectionSyntaxError('"title" is missing');
  const filter = doc.filter;
  if (!isMap(filter)) throw new DetectionSyntaxError('"filter" must be a map with rules, selections and a condition');
  const { rules, ...detection } = filter;
  const tenants = doc.tenants ?? [];
  if (!Array.isArray(tenants) || !tenants.every((t) => typeof t === 'string'))
    throw new DetectionSyntaxError('"tenants" must be a list of tenant names or ids');
  return {
    kind: 'filter',
    id: optionalString(doc, 'id') ?? optionalString(doc, 'name') ?? `title:${title}`,
    title,
    file,
    rules: stringList(rules, 'filter.rules'),
    tenants,
    match: compileDetection(detection),
  };
}

function parseCorrelation(doc: Record<string, unknown>, file: string): CorrelationRule {
  const meta = parseMeta(doc, file);
  const c = doc.correlation;
  if (!isMap(c)) throw new DetectionSyntaxError('"correlation" must be a map');
  const type = c.type;
  if (!CORRELATION_TYPES.includes(type as CorrelationType)) {
    throw new DetectionSyntaxError(
      `correlation type "${String(type)}" is not supported (supported: ${CORRELATION_TYPES.join(', ')})`,
    );
  }
  const rules = stringList(c.rules, 'correlation.rules');
  const groupBy = c['group-by'] === undefined ? [] : stringList(c['group-by'], 'correlation.group-by');
  const timespanMs = parseTimespan(c.timespan, 'correlation.timespan');
  const aliases = parseAliases(c.aliases);
  const generate = c.generate ?? false;
  if (typeof generate !== 'boolean') throw new DetectionSyntaxError('"correlation.generate" must be true or false');
  const rule: CorrelationRule = {
    ...meta,
    kind: 'correlation',
    type: type as CorrelationType,
    rules,
    groupBy,
    timespanMs,
    aliases,
    generate,
  };
  const needsField = type === 'value_count' || type === 'value_sum' || type === 'value_avg' || type === 'value_percentile';
  if (c.condition === undefined) {
    if (type === 'event_count' || needsField) throw new DetectionSyntaxError(`"correlation.condition" is required for ${type}`);
  } else {
    if (!isMap(c.condition)) throw new DetectionSyntaxError('"correlation.condition" must be a map such as {gte: 10}');
    const { field, ...bounds } = c.condition;
    rule.condition = parseCountCondition(bounds);
    if (field !== undefined) {
      const fields = typeof field === 'string' ? [field] : field;
      if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === 'string' && f !== ''))
        throw new DetectionSyntaxError('"correlation.condition.field" must be a field name or a list of field names');
      if (fields.length > 1 && type !== 'value_count')
        throw new DetectionSyntaxError(
          `"correlation.condition.field" takes one field for ${String(type)} (a list for value_count)`,
        );
      rule.valueFields = fields as string[];
    }
  }
  if (needsField && !rule.valueFields) throw new DetectionSyntaxError(`${String(type)} needs "correlation.condition.field"`);
  if ((type === 'temporal' || type === 'temporal_ordered') && rules.length < 2)
    throw new DetectionSyntaxError(`${type} needs at least two rules`);
  return rule;
}

/**
 * Sekoia.io's correlation dialect (`action: correlation` with `type`, `rule`, `group-by`, `timespan`, `condition`,
 * top-level `field`, and `ordered: true` for temporal) → the Sigma v2 `correlation:` block.
 */
function fromSekoiaDialect(doc: Record<string, unknown>): Record<string, unknown> {
  const {
    action: _action,
    type,
    rule,
    rules,
    'group-by': groupBy,
    timespan,
    condition,
    field,
    ordered,
    aliases,
    generate,
    ...meta
  } = doc;
  const correlation: Record<string, unknown> = {
    type: type === 'temporal' && ordered === true ? 'temporal_ordered' : type,
    rules: rules ?? rule,
    timespan,
  };
  if (groupBy !== undefined) correlation['group-by'] = groupBy;
  if (condition !== undefined || field !== undefined)
    correlation.condition = { ...(isMap(condition) ? condition : {}), ...(field !== undefined ? { field } : {}) };
  if (aliases !== undefined) correlation.aliases = aliases;
  if (generate !== undefined) correlation.generate = generate;
  return { ...meta, correlation };
}

function parseCountCondition(bounds: Record<string, unknown>): CountCondition {
  const allowed = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
  const out: CountCondition = {};
  for (const [key, value] of Object.entries(bounds)) {
    if (!allowed.includes(key as (typeof allowed)[number]))
      throw new DetectionSyntaxError(`"correlation.condition.${key}" is not one of ${allowed.join(', ')}`);
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new DetectionSyntaxError(`"correlation.condition.${key}" must be a number`);
    out[key as (typeof allowed)[number]] = value;
  }
  if (Object.keys(out).length === 0)
    throw new DetectionSyntaxError('"correlation.condition" has no bound (gt, gte, lt, lte, eq, neq)');
  return out;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `10m`, `1h`, `2d` → milliseconds; `what` names the attribute in errors. */
export function parseTimespan(value: unknown, what: string): number {
  const match = typeof value === 'string' ? /^(\d+)([smhd])$/.exec(value.trim()) : null;
  if (!match) throw new DetectionSyntaxError(`"${what}: ${String(value)}" must look like 30s, 10m, 1h or 2d`);
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  if (ms <= 0) throw new DetectionSyntaxError(`"${what}" must be positive`);
  return ms;
}

function parseAliases(value: unknown): Record<string, Record<string, string>> {
  if (value === undefined) return {};
  if (!isMap(value)) throw new DetectionSyntaxError('"correlation.aliases" must map alias → {rule: field}');
  const out: Record<string, Record<string, string>> = {};
  for (const [alias, mapping] of Object.entries(value)) {
    if (!isMap(mapping) || !Object.values(mapping).every((f) => typeof f === 'string')) {
      throw new DetectionSyntaxError(`"correlation.aliases.${alias}" must map rule names to field names`);
    }
    out[alias] = mapping as Record<string, string>;
  }
  return out;
}

function stringList(value: unknown, what: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string' && v !== '')) {
    throw new DetectionSyntaxError(`"${what}" must be a non-empty list of strings`);
  }
  return list as string[];
}

function optionalString(map: Record<string, unknown>, key: string): string | undefined {
  const value = map[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new DetectionSyntaxError(`"${key}" must be a string`);
  return value;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
