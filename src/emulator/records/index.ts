import type { AuditRecord } from '../../core/audit-record.ts';
import type { ContentType } from '../../core/content-types.ts';
import { IntakeError } from '../../core/errors.ts';
import type { Rng } from '../rng.ts';
import { AAD_TEMPLATES } from './aad.ts';
import { AI_SECURITY_TEMPLATES } from './ai-security.ts';
import { DLP_TEMPLATES } from './dlp.ts';
import { EXCHANGE_TEMPLATES } from './exchange.ts';
import { GENERAL_TEMPLATES } from './general.ts';
import { SCENARIOS, type ScenarioRecord } from './scenarios.ts';
import { SHAREPOINT_TEMPLATES } from './sharepoint.ts';
import type { TenantContext } from './tenant-context.ts';
import type { RecordTemplate } from './template.ts';

export { createTenantContext, type TenantContext, type SyntheticUser } from './tenant-context.ts';
export { SCENARIOS, type Scenario, type ScenarioRecord } from './scenarios.ts';
export { SENSITIVE_TYPES } from './dlp.ts';

export const RECORD_TEMPLATES: readonly RecordTemplate[] = [
  ...AAD_TEMPLATES,
  ...EXCHANGE_TEMPLATES,
  ...SHAREPOINT_TEMPLATES,
  ...GENERAL_TEMPLATES,
  ...DLP_TEMPLATES,
  ...AI_SECURITY_TEMPLATES,
];

const BY_KIND = new Map(RECORD_TEMPLATES.map((t) => [t.kind, t]));

/** Every record kind the generator knows, e.g. `aad.login.failure`, `sharepoint.file.downloaded`. */
export const RECORD_KINDS: readonly string[] = RECORD_TEMPLATES.map((t) => t.kind);

export class UnknownRecordKindError extends IntakeError {
  constructor(kind: string) {
    super('EMULATOR_UNKNOWN_KIND', `unknown record kind "${kind}"; known kinds: ${RECORD_KINDS.join(', ')}`);
  }
}

/** Content type a record kind is published under. */
export function contentTypeOfKind(kind: string): ContentType {
  const template = BY_KIND.get(kind);
  if (!template) throw new UnknownRecordKindError(kind);
  return template.contentType;
}

/** One realistic record of the given kind; `at` is the event time (default: now). */
export function generateRecord(kind: string, rng: Rng, tenant: TenantContext, at: number = Date.now()): AuditRecord {
  const template = BY_KIND.get(kind);
  if (!template) throw new UnknownRecordKindError(kind);
  return template.build({ rng, tenant, at });
}

export interface GenerateRecordsOptions {
  /** Restrict the mix to these content types (default: all). */
  contentTypes?: readonly ContentType[];
  /** Event time of the newest record, epoch ms (default: now). */
  at?: number;
  /** Records are spread over this many ms before `at` (default: 5 minutes). */
  spreadMs?: number;
}

/** `count` records drawn from the weighted mix, each with the content type it belongs to. */
export function generateRecords(
  count: number,
  rng: Rng,
  tenant: TenantContext,
  options: GenerateRecordsOptions = {},
): ScenarioRecord[] {
  const templates = options.contentTypes
    ? RECORD_TEMPLATES.filter((t) => options.contentTypes?.includes(t.contentType))
    : RECORD_TEMPLATES;
  if (templates.length === 0) return [];
  const weights = templates.map((t) => t.weight);
  const at = options.at ?? Date.now();
  const spread = options.spreadMs ?? 5 * 60_000;
  const out: ScenarioRecord[] = [];
  for (let i = 0; i < count; i++) {
    const template = rng.weighted(templates, weights);
    out.push({
      contentType: template.contentType,
      record: template.build({ rng, tenant, at: at - Math.floor(rng.next() * spread) }),
    });
  }
  return out;
}

/** Records of one demo scenario (random if `name` is omitted). */
export function generateScenario(rng: Rng, tenant: TenantContext, at: number, name?: string): ScenarioRecord[] {
  const scenario = name === undefined ? rng.pick(SCENARIOS) : SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new UnknownRecordKindError(`scenario:${name ?? ''}`);
  return scenario.build({ rng, tenant, at });
}
