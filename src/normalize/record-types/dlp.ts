import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { parseClientIp } from '../client-ip.ts';
import { put } from '../document.ts';
import { normalizeTimestamp } from '../timestamp.ts';
import { asArray, asObject, asString, ownValue, stripAngleBrackets, UniqueList } from '../values.ts';

const SEVERITY_RANK: Readonly<Record<string, number>> = { Low: 1, Medium: 2, High: 3 };

/** DLP rule actions that stop the user's action (the attempt failed). */
const BLOCKING_ACTIONS = new Set(['blockaccess', 'block', 'blockaccesstoeveryone']);

/**
 * PolicyDetails [{PolicyName, Rules:[{RuleName, Severity, Actions, ConditionsMatched}]}] → office365.dlp.*, rule.*.
 * Returns whether a matched rule blocked the action (BlockAccess not overridden by the user).
 */
function mapPolicyDetails(record: AuditRecord, doc: EcsDocument): boolean {
  const policies = new UniqueList<string>();
  const rules = new UniqueList<string>();
  const actions = new UniqueList<string>();
  const sensitiveTypes = new UniqueList<string>();
  let severity: string | undefined;
  let ruleId: string | undefined;
  let blocked = false;
  for (const p of asArray(record.PolicyDetails)) {
    const policy = asObject(p);
    if (policy === undefined) continue;
    policies.add(asString(policy.PolicyName));
    for (const r of asArray(policy.Rules)) {
      const rule = asObject(r);
      if (rule === undefined) continue;
      rules.add(asString(rule.RuleName));
      ruleId ??= asString(rule.RuleId);
      for (const action of asArray(rule.Actions)) actions.add(asString(action));
      const overridden = new Set(asArray(rule.OverriddenActions).map((a) => asString(a)?.toLowerCase()));
      for (const action of asArray(rule.Actions)) {
        const lower = asString(action)?.toLowerCase();
        if (lower !== undefined && BLOCKING_ACTIONS.has(lower) && !overridden.has(lower)) blocked = true;
      }
      const s = asString(rule.Severity);
      if (
        s !== undefined &&
        (severity === undefined || (ownValue(SEVERITY_RANK, s) ?? 0) > (ownValue(SEVERITY_RANK, severity) ?? 0))
      )
        severity = s;
      for (const info of asArray(asObject(rule.ConditionsMatched)?.SensitiveInformation)) {
        const i = asObject(info);
        sensitiveTypes.add(asString(i?.SensitiveInformationTypeName) ?? asString(i?.SensitiveType));
      }
    }
  }
  put(doc, 'rule.name', rules.items[0]);
  put(doc, 'rule.id', ruleId);
  put(doc, 'rule.ruleset', policies.items[0]);
  put(doc, 'office365.dlp.policy_names', policies.items);
  put(doc, 'office365.dlp.rule_names', rules.items);
  put(doc, 'office365.dlp.actions', actions.items);
  put(doc, 'office365.dlp.severity', severity);
  put(doc, 'office365.dlp.sensitive_information_types', sensitiveTypes.items);
  return blocked;
}

/**
 * Data loss prevention: ComplianceDLPSharePoint (11), ComplianceDLPExchange (13), DLPEndpoint (63).
 * Not mapped by the reference parser; follows the same conventions (rule.*, file.*, email.*, url.*).
 */
export function mapDlp(record: AuditRecord, doc: EcsDocument): void {
  // Both spellings exist in the wild (DlpRuleMatch, DLPRuleMatch).
  const match = asString(record.Operation)?.toLowerCase() === 'dlprulematch';
  if (match) put(doc, 'event.kind', 'alert');
  put(doc, 'event.type', ['info']);
  const blocked = mapPolicyDetails(record, doc);
  if (blocked) {
    put(doc, 'action.outcome', 'failure');
    put(doc, 'event.outcome', 'failure');
  }

  const sharePoint = asObject(record.SharePointMetaData);
  if (sharePoint !== undefined) {
    put(doc, 'event.category', ['file']);
    put(doc, 'file.name', asString(sharePoint.FileName));
    put(doc, 'url.original', asString(sharePoint.FilePathUrl));
    put(doc, 'office365.audit.site', asString(sharePoint.SiteCollectionUrl));
  }
  const exchange = asObject(record.ExchangeMetaData);
  if (exchange !== undefined) {
    put(doc, 'event.category', ['email']);
    put(doc, 'email.from.address', asString(exchange.From) ? [asString(exchange.From)] : undefined);
    put(
      doc,
      'email.to.address',
      asArray(exchange.To).filter((a) => typeof a === 'string'),
    );
    put(
      doc,
      'email.cc.address',
      asArray(exchange.CC).filter((a) => typeof a === 'string'),
    );
    put(doc, 'email.subject', asString(exchange.Subject));
    put(doc, 'email.message_id', stripAngleBrackets(exchange.MessageID));
    put(doc, 'email.origination_timestamp', normalizeTimestamp(exchange.Sent));
  }
  const endpoint = asObject(record.EndpointMetaData);
  if (endpoint !== undefined) {
    put(doc, 'event.category', ['file']);
    put(doc, 'host.name', asString(endpoint.DeviceName));
    const target = asString(endpoint.TargetFilePath) ?? asString(endpoint.SourceLocationType);
    put(doc, 'file.path', target);
    put(doc, 'office365.dlp.enforcement_mode', asString(endpoint.EnforcementMode));
    if (doc.source === undefined) {
      const client = parseClientIp(endpoint.ClientIP);
      if (client !== undefined) put(doc, 'source.ip', client.ip);
    }
  }
}
