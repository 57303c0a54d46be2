import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { compactObject, put } from '../document.ts';
import { asArray, asBoolean, asObject, asString, pushUnique } from '../values.ts';
import { family, type RecordTypeFamily } from './family.ts';

interface Flags {
  jailbreak?: boolean;
  xpia?: boolean;
}

/** true if any entry says true, false if entries carry the flag but none is true, undefined if none carries it. */
function anyFlag(current: boolean | undefined, value: unknown): boolean | undefined {
  const flag = asBoolean(value);
  if (flag === undefined) return current;
  return current === true || flag;
}

function isUrl(text: string | undefined): text is string {
  return text !== undefined && /^https?:\/\//i.test(text);
}

/** CopilotEventData: app host, contexts, prompts/responses, accessed resources with their labels, models, plugins. */
function mapCopilotEventData(record: AuditRecord, doc: EcsDocument): void {
  const data = asObject(record.CopilotEventData);
  put(doc, 'office365.copilot.client_region', asString(record.ClientRegion));
  put(doc, 'office365.copilot.app_identity', asString(record.AppIdentity) ?? asString(data?.AppIdentity));
  put(doc, 'office365.copilot.agent.id', asString(record.AgentId));
  put(doc, 'office365.copilot.agent.name', asString(record.AgentName));
  if (data === undefined) return;
  put(doc, 'office365.copilot.app_host', asString(data.AppHost));
  put(doc, 'office365.copilot.thread_id', asString(data.ThreadId));

  const flags: Flags = {};
  const contexts: Record<string, unknown>[] = [];
  let contextUrl: string | undefined;
  for (const item of asArray(data.Contexts)) {
    const c = asObject(item);
    const context = compactObject({ id: c?.Id, type: c?.Type });
    if (context === undefined) continue;
    contexts.push(context);
    const id = asString(c?.Id);
    if (contextUrl === undefined && isUrl(id)) contextUrl = id;
  }
  put(doc, 'office365.copilot.contexts', contexts);

  let prompts = 0;
  let responses = 0;
  for (const item of asArray(data.Messages)) {
    const m = asObject(item);
    if (m === undefined) continue;
    if (asBoolean(m.isPrompt) === true) prompts++;
    else responses++;
    flags.jailbreak = anyFlag(flags.jailbreak, m.JailbreakDetected);
  }
  if (prompts + responses > 0) {
    put(doc, 'office365.copilot.prompt_count', prompts);
    put(doc, 'office365.copilot.response_count', responses);
  }

  const resources: Record<string, unknown>[] = [];
  const labels: string[] = [];
  const names: string[] = [];
  let resourceUrl: string | undefined;
  for (const item of asArray(data.AccessedResources)) {
    const r = asObject(item);
    if (r === undefined) continue;
    flags.xpia = anyFlag(flags.xpia, r.XPIADetected);
    const label = asString(r.SensitivityLabelId);
    pushUnique(labels, label);
    pushUnique(names, asString(r.Name));
    const siteUrl = asString(r.SiteUrl);
    if (resourceUrl === undefined && isUrl(siteUrl)) resourceUrl = siteUrl;
    const resource = compactObject({
      id: r.Id,
      name: r.Name,
      type: r.Type,
      url: siteUrl,
      action: r.Action,
      status: r.Status,
      sensitivity_label_id: label,
      xpia_detected: asBoolean(r.XPIADetected),
    });
    if (resource !== undefined) resources.push(resource);
  }
  put(doc, 'office365.copilot.accessed_resources', resources);
  put(doc, 'office365.copilot.sensitivity_label_ids', labels);
  // file.* and url.* name one object: the resource Copilot read when there is exactly one, else the document it ran in.
  const single = resources.length === 1;
  put(doc, 'file.name', single ? names[0] : undefined);
  put(doc, 'url.original', single ? (resourceUrl ?? contextUrl) : (contextUrl ?? resourceUrl));

  const models: string[] = [];
  const providers: string[] = [];
  for (const item of asArray(data.ModelTransparencyDetails)) {
    const m = asObject(item);
    pushUnique(models, asString(m?.ModelName));
    pushUnique(providers, asString(m?.ModelProviderName));
  }
  put(doc, 'office365.copilot.models', models);
  put(doc, 'office365.copilot.model_providers', providers);
  const plugins: Record<string, unknown>[] = [];
  for (const item of asArray(data.AISystemPlugin)) {
    const p = asObject(item);
    const plugin = compactObject({ id: p?.Id, name: p?.Name, version: p?.Version });
    if (plugin !== undefined) plugins.push(plugin);
  }
  put(doc, 'office365.copilot.plugins', plugins);
  mapPromptAttacks(flags, doc);
}

/** Jailbreak and cross-prompt injection (XPIA) flags → office365.copilot.* and threat.* (MITRE ATLAS). */
function mapPromptAttacks(flags: Flags, doc: EcsDocument): void {
  put(doc, 'office365.copilot.jailbreak_detected', flags.jailbreak);
  put(doc, 'office365.copilot.xpia_detected', flags.xpia);
  const ids: string[] = [];
  const names: string[] = [];
  if (flags.jailbreak === true) {
    ids.push('AML.T0054');
    names.push('LLM Jailbreak');
  }
  if (flags.xpia === true) {
    ids.push('AML.T0051');
    names.push('LLM Prompt Injection');
  }
  if (ids.length === 0) return;
  put(doc, 'threat.framework', 'MITRE ATLAS');
  put(doc, 'threat.technique.id', ids);
  put(doc, 'threat.technique.name', names);
}

export const AI_INTERACTIONS: RecordTypeFamily = family(
  'Copilot and AI app interactions (prompts, accessed resources, labels, jailbreak / XPIA flags)',
  {
    261: 'CopilotInteraction',
    284: 'AIAppInteraction',
    328: 'ConnectedAIAppInteraction',
    334: 'TeamCopilotInteraction',
    373: 'OutlookCopilotAutomation',
  },
  { category: ['web'], type: ['access'], fields: {}, extra: mapCopilotEventData },
);

export const AI_ADMINISTRATION: RecordTypeFamily = family(
  'Copilot, agents and AI administration (plugins, workspaces, promptbooks, settings, scheduled prompts, exports)',
  {
    310: 'CreateCopilotPlugin',
    311: 'UpdateCopilotPlugin',
    312: 'DeleteCopilotPlugin',
    313: 'EnableCopilotPlugin',
    314: 'DisableCopilotPlugin',
    315: 'CreateCopilotWorkspace',
    316: 'UpdateCopilotWorkspace',
    317: 'DeleteCopilotWorkspace',
    318: 'EnableCopilotWorkspace',
    319: 'DisableCopilotWorkspace',
    320: 'CreateCopilotPromptBook',
    321: 'UpdateCopilotPromptBook',
    322: 'DeleteCopilotPromptBook',
    323: 'EnableCopilotPromptBook',
    324: 'DisableCopilotPromptBook',
    325: 'UpdateCopilotSettings',
    362: 'AIInteractionsExport',
    363: 'Microsoft365CopilotScheduledPrompt',
    375: 'AppAdminActivity',
    376: 'AppSettingsAdminActivity',
    379: 'AIInteractionsSubscription',
    380: 'AIInteractionsChangeNotification',
    383: 'CopilotForSecurityTrigger',
    384: 'CopilotAgentManagement',
    454: 'DragonCopilotAdmin',
  },
  {
    category: ['configuration'],
    fields: {
      AgentId: 'office365.copilot.agent.id:text',
      AgentID: 'office365.copilot.agent.id:text',
      AgentName: 'office365.copilot.agent.name:text',
      AgentType: 'office365.copilot.agent.type:raw',
      ForAllUsers: 'office365.copilot.for_all_users:boolean',
      UserAssignments: 'office365.copilot.user_assignments:texts',
      Property: 'office365.copilot.setting.name:text',
      OldValue: 'office365.copilot.setting.old_value:text',
      NewValue: 'office365.copilot.setting.new_value:text',
      AddedIdentities: 'office365.copilot.setting.added_identities:texts',
      RemovedIdentities: 'office365.copilot.setting.removed_identities:texts',
      ScenarioType: 'office365.copilot.scheduled_prompt.scenario:text',
      AutomationId: 'office365.copilot.scheduled_prompt.automation_id:text',
      TriggerMode: 'office365.copilot.scheduled_prompt.trigger:text',
      PromptText: 'office365.copilot.scheduled_prompt.text:text',
      ModifiedProperties: 'office365.modified_properties:changes',
      ClientRegion: 'office365.copilot.client_region:text',
    },
  },
);
