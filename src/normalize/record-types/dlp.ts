import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { parseClientIp } from '../client-ip.ts';
import { put } from '../document.ts';
import { normalizeTimestamp } from '../timestamp.ts';
import { asArray, asObject, asString, ownValue, pushUnique, stripAngleBrackets } from '../values.ts';

const SEVERITY_RANK: Readonly<Record<string, number>> = { Low: 1, Medium: 2, High: 3 };

/** PolicyDetails [{PolicyName, Rules:[{RuleName, Severity, Actions, ConditionsMatched}]}] → office365.dlp.*, rule.*. */
function mapPolicyDetails(record: AuditRecord, doc: EcsDocument): void {
  const policies: string[] = [];
  const rules: string[] = [];
  const actions: string[] = [];
  const sensitiveTypes: string[] = [];
  let severity: string | undefined;
  let ruleId: string | undefined;
  for (const p of asArray(record.PolicyDetails)) {
    const policy = asObject(p);
    if (policy === undefined) continue;
    pushUnique(policies, asString(policy.PolicyName));
    for (const r of asArray(policy.Rules)) {
      const rule = asObject(r);
      if (rule === undefined) continue;
      pushUnique(rules, asString(rule.RuleName));
      ruleId ??= asString(rule.RuleId);
      for (const action of asArray(rule.Actions)) pushUnique(actions, asString(action));
      const s = asString(rule.Severity);
      if (
        s !== undefined &&
        (severity === undefined || (ownValue(SEVERITY_RANK, s) ?? 0) > (ownValue(SEVERITY_RANK, severity) ?? 0))
      )
        severity = s;
      for (const info of asArray(asObject(rule.ConditionsMatched)?.SensitiveInformation)) {
        const i = asObject(info);
        pushUnique(sensitiveTypes, asString(i?.SensitiveInformationTypeName) ?? asString(i?.SensitiveType));
      }
    }
  }
  put(doc, 'rule.name', rules[0]);
  put(doc, 'rule.id', ruleId);
  put(doc, 'rule.ruleset', policies[0]);
  put(doc, 'office365.dlp.policy_names', policies);
  put(doc, 'office365.dlp.rule_names', rules);
  put(doc, 'office365.dlp.actions', actions);
  put(doc, 'office365.dlp.severity', severity);
  put(doc, 'office365.dlp.sensitive_information_types', sensitiveTypes);
}

/**
 * Data loss prevention: ComplianceDLPSharePoint (11), ComplianceDLPExchange (13), DLPEndpoint (63).
 * Not mapped by the reference parser; follows the same conventions (rule.*, file.*, email.*, url.*).
 */
export function mapDlp(record: AuditRecord, doc: EcsDocument): void {
  const match = record.Operation === 'DlpRuleMatch';
  if (match) put(doc, 'event.kind', 'alert');
  put(doc, 'event.type', ['info']);
  mapPolicyDetails(record, doc);

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
