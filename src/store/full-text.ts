import type { ProcessedEvent } from '../core/processed-event.ts';

/** Characters of searchable text per event: beyond it the rest of the values are not full-text indexed. */
export const MAX_TEXT = 2048;

/**
 * The ECS fields whose values go into the full-text index: what analysts type as free text (names, addresses,
 * subjects, file names and paths, object ids, URLs, user agents, rule and policy names, short words such as the
 * operation, category and country). Every other field is still searched by name (`field:value` reads the stored
 * document); it just is not found by a bare word.
 */
export const FULL_TEXT_ECS_FIELDS: readonly string[] = [
  'event.action',
  'event.category',
  'event.outcome',
  'service.name',
  'user.name',
  'user.email',
  'user.full_name',
  'user.domain',
  'user.target.name',
  'user.target.email',
  'group.name',
  'source.ip',
  'client.ip',
  'destination.ip',
  'source.geo.country_iso_code',
  'source.geo.country_name',
  'source.geo.city_name',
  'source.as.organization.name',
  'user_agent.original',
  'url.full',
  'url.original',
  'file.name',
  'file.path',
  'file.directory',
  'file.hash.sha256',
  'email.subject',
  'email.message_id',
  'email.from.address',
  'email.to.address',
  'email.reply_to.address',
  'email.attachments.file.name',
  'email.attachments.file.hash.sha256',
  'host.name',
  'rule.name',
  'threat.technique.name',
  'office365.audit.object_id',
  'office365.logon_error',
  'office365.context.client.name',
  'office365.exchange.mailbox_owner.upn',
  'office365.exchange.email.subjects',
  'office365.exchange.email.paths',
  'office365.folders.paths',
  'office365.teams.team.name',
  'office365.teams.channel.name',
  'office365.teams.team.members.name',
  'office365.alert.display_name',
  'office365.investigation.name',
  'office365.copilot.accessed_resources.name',
  'office365.copilot.accessed_resources.url',
  'office365.power_bi.item_name',
  'office365.power_bi.report.name',
  'office365.power_bi.dataset.name',
  'office365.power_bi.workspace.name',
  'office365.dlp.policy_names',
  'office365.dlp.rule_names',
  'office365.dlp.sensitive_information_types',
  'office365.defender.malware_family',
  'office365.defender.email.attachments.name',
];

/**
 * Fields of the raw record indexed as well: values a normalizer may not carry to ECS for every record type
 * (cmdlet parameters such as a forwarding address, changed properties such as a role name, subjects, names).
 */
export const FULL_TEXT_RAW_FIELDS: readonly string[] = [
  'ObjectId',
  'UserId',
  'SourceFileName',
  'SiteUrl',
  'MailboxOwnerUPN',
  'Subject',
  'Item.Subject',
  'AffectedItems.Subject',
  'Parameters.Value',
  'ModifiedProperties.NewValue',
  'ModifiedProperties.OldValue',
  'TargetUserOrGroupName',
  'Members.UPN',
  'Members.DisplayName',
  'Recipients',
  'P1Sender',
  'P2Sender',
  'AttachmentData.FileName',
  'FileData.FileName',
  'ItemName',
  'TeamName',
  'ChannelName',
  'DeviceName',
  'UserDisplayName',
  'Title',
];

/** A tree of field paths: `leaf` marks a path whose values are taken, children go one key deeper. */
interface PathTree {
  leaf: boolean;
  children: Map<string, PathTree>;
}

function pathTree(paths: readonly string[]): PathTree {
  const root: PathTree = { leaf: false, children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const key of path.split('.')) {
      let child = node.children.get(key);
      if (!child) {
        child = { leaf: false, children: new Map() };
        node.children.set(key, child);
      }
      node = child;
    }
    node.leaf = true;
  }
  return root;
}

const ECS_TREE = pathTree(FULL_TEXT_ECS_FIELDS);
const RAW_TREE = pathTree(FULL_TEXT_RAW_FIELDS);
const ECS_SET = new Set(FULL_TEXT_ECS_FIELDS);
const RAW_SET = new Set(FULL_TEXT_RAW_FIELDS);

/** True when the values of `field` (an ECS path, or `raw.<path>`) are in the full-text index. */
export function isFullTextField(field: string): boolean {
  return field.startsWith('raw.') ? RAW_SET.has(field.slice(4)) : ECS_SET.has(field);
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** A letter or digit (ASCII by its code, others by the Unicode classes the tokenizer uses). */
function isWordChar(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  return WORD_CHAR.test(c);
}

/** True when `value` occurs in `text` on token boundaries, so indexing it again would add no token and no phrase. */
function containsTokens(text: string, value: string): boolean {
  for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
    const before = at > 0 ? text[at - 1]! : ' ';
    const after = at + value.length < text.length ? text[at + value.length]! : ' ';
    if (!(isWordChar(before) && isWordChar(value[0]!)) && !(isWordChar(after) && isWordChar(value.at(-1)!))) return true;
  }
  return false;
}

/** Appends a value the text does not already contain (a user inside the description adds no token), within MAX_TEXT. */
function append(value: unknown, text: { value: string }): void {
  if (Array.isArray(value)) {
    for (const item of value) append(item, text);
    return;
  }
  const s = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  if (!s || text.value.length >= MAX_TEXT || containsTokens(text.value, s)) return;
  const room = MAX_TEXT - text.value.length - 1;
  text.value += ` ${s.length > room ? s.slice(0, room) : s}`;
}

/** Walks only the keys of the tree (arrays of objects are walked item by item: `email.attachments[].file.name`). */
function collect(node: unknown, tree: PathTree, text: { value: string }): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, tree, text);
    return;
  }
  if (tree.leaf) append(node, text);
  if (tree.children.size === 0 || typeof node !== 'object' || node === null) return;
  for (const [key, child] of tree.children) {
    const value = (node as Record<string, unknown>)[key];
    if (value !== undefined && value !== null) collect(value, child, text);
  }
}

/**
 * The text indexed for full-text search: the description, then the values of the full-text fields of the ECS
 * document and of the raw record that the text does not already contain (bounded by MAX_TEXT). `always`: values
 * put in whatever MAX_TEXT says (the SQLite store's user and source IP columns, whose filters are narrowed by the
 * full-text index instead of a B-tree of their own: see query-sql.ts).
 */
export function searchTextOf(event: ProcessedEvent, always: readonly (string | null)[] = []): string {
  const text = { value: event.description };
  for (const value of always) if (value && !containsTokens(text.value, value)) text.value += ` ${value}`;
  collect(event.ecs, ECS_TREE, text);
  collect(event.raw, RAW_TREE, text);
  return text.value;
}

/** The FTS5 tokens of a value, as the unicode61 tokenizer splits it (letters and digits). */
export function tokensOf(value: string): string[] {
  return value.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** A safe FTS5 phrase of a value's tokens (`"alice" "contoso" "com"` as one phrase); undefined without tokens. */
export function ftsPhrase(value: string, prefix = false): string | undefined {
  const tokens = tokensOf(value);
  if (tokens.length === 0) return undefined;
  return `"${tokens.join(' ')}"${prefix ? '*' : ''}`;
}
