import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { compactObject, put } from '../document.ts';
import { asArray, asBoolean, asNumber, asObject, asString } from '../values.ts';
import { mapNetworkTraffic } from './network-traffic.ts';

const MEMBER_ROLES = ['Member', 'Owner', 'Guest'];

/** MicrosoftTeams (25): teams, channels, chats, members, messages, meetings. */
export function mapTeams(record: AuditRecord, doc: EcsDocument): void {
  mapNetworkTraffic(record, doc);
  put(doc, 'office365.teams.action', asString(record.Action));
  put(doc, 'office365.teams.communication.type', asString(record.CommunicationType));
  put(doc, 'office365.teams.channel.id', asString(record.ChannelGuid));
  put(doc, 'office365.teams.channel.name', asString(record.ChannelName));
  put(doc, 'office365.teams.channel.type', asString(record.ChannelType));
  put(doc, 'office365.teams.team.id', asString(record.TeamGuid));
  put(doc, 'office365.teams.team.name', asString(record.TeamName));
  put(doc, 'office365.teams.invitee', asString(record.Invitee));
  put(doc, 'office365.teams.message.id', asString(record.MessageId));
  put(doc, 'office365.teams.message.version', asString(record.MessageVersion));
  put(doc, 'office365.teams.message.size', asNumber(record.MessageSizeInBytes));
  const urls = asArray(record.MessageURLs).filter((u): u is string => typeof u === 'string');
  put(doc, 'office365.teams.message.urls', urls);
  put(doc, 'url.original', urls[0]);
  put(doc, 'office365.teams.has_foreign_tenant_users', asBoolean(asObject(record.ParticipantInfo)?.HasForeignTenantUsers));
  const members: Record<string, unknown>[] = [];
  for (const item of asArray(record.Members)) {
    const m = asObject(item);
    if (m === undefined) continue;
    const role = asNumber(m.Role);
    const member = compactObject({ id: m.UPN, role: role !== undefined ? MEMBER_ROLES[role] : undefined, name: m.DisplayName });
    if (member !== undefined) members.push(member);
  }
  put(doc, 'office365.teams.team.members', members);
}
