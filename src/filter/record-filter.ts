import type { AuditRecord } from '../core/audit-record.ts';
import { compileSigmaString } from '../detect/wildcard.ts';
import type { FiltersConfig, RecordMatcherConfig } from './config.ts';

type Scalar = string | number | boolean;
type ValueTest = (actual: unknown) => boolean;

/** Tenant of the record being filtered: both its id and its configured name can be matched. */
export interface FilterTenant {
  tenantId: string;
  tenantName: string;
}

/** Strings compare like Sigma values (one implementation): case-insensitive, `*` and `?` wildcards, `\\` escapes. */
function valueTest(expected: Scalar): ValueTest {
  if (typeof expected !== 'string') return (actual) => actual === expected || String(actual) === String(expected);
  const test = compileSigmaString(expected, 'exact', false);
  return (actual) => actual !== undefined && actual !== null && test(String(actual));
}

function compile(matcher: RecordMatcherConfig): (record: AuditRecord, tenant: FilterTenant) => boolean {
  const tenants = matcher.tenants ? new Set(matcher.tenants.map((t) => t.toLowerCase())) : undefined;
  const fields = Object.entries(matcher)
    .filter(([key]) => key !== 'tenants')
    .map(([field, expected]) => {
      const tests = (Array.isArray(expected) ? expected : [expected]).map((e) => valueTest(e as Scalar));
      return (record: AuditRecord) => tests.some((t) => t(record[field]));
    });
  return (record, tenant) =>
    (!tenants || tenants.has(tenant.tenantId.toLowerCase()) || tenants.has(tenant.tenantName.toLowerCase())) &&
    fields.every((f) => f(record));
}

/**
 * A predicate that tells whether a record goes through the pipeline, or undefined when no filter is configured
 * (the hot path then pays nothing).
 */
export function createRecordFilter(config: FiltersConfig): ((record: AuditRecord, tenant: FilterTenant) => boolean) | undefined {
  if (config.exclude.length === 0 && config.include.length === 0) return undefined;
  const exclude = config.exclude.map(compile);
  const include = config.include.map(compile);
  return (record, tenant) =>
    (include.length === 0 || include.some((m) => m(record, tenant))) && !exclude.some((m) => m(record, tenant));
}
