import { randomFile } from './sharepoint.ts';
import { baseRecord, pickUser, type RecordContext, type RecordTemplate } from './template.ts';

/** Sensitive information types (id → name), also served by /resources/dlpSensitiveTypes. */
export const SENSITIVE_TYPES = [
  { id: '50842eb7-edc8-4019-85dd-5a5c1f2bb085', name: 'Credit Card Number' },
  { id: 'e55e2a32-f92d-4985-a35d-a0b269eb687b', name: 'International Banking Account Number (IBAN)' },
  { id: 'a44669fe-0d48-453d-a9b1-2cc83f2cba77', name: 'U.S. Social Security Number (SSN)' },
  { id: '4e4a3d49-2b3c-4d0a-b3a4-4c4b5e6d7f80', name: 'France Social Security Number (INSEE)' },
] as const;

function policy(ctx: RecordContext, severity: string, actions: string[]): unknown[] {
  const type = ctx.rng.pick(SENSITIVE_TYPES);
  const count = ctx.rng.int(1, 40);
  return [
    {
      PolicyId: ctx.rng.guid(),
      PolicyName: ctx.rng.pick(['PCI DSS', 'GDPR Enhanced', 'U.S. Financial Data']),
      Rules: [
        {
          RuleId: ctx.rng.guid(),
          RuleName: `${severity} volume of content detected`,
          Actions: actions,
          OverriddenActions: [],
          Severity: severity,
          RuleMode: 'Enforce',
          ConditionsMatched: {
            SensitiveInformation: [
              {
                Confidence: ctx.rng.pick([75, 85, 95]),
                Count: count,
                SensitiveType: type.id,
                SensitiveInformationTypeName: type.name,
                UniqueCount: Math.max(1, count - ctx.rng.int(0, count - 1)),
                Location: 'Content',
              },
            ],
            OtherConditions: [],
          },
        },
      ],
    },
  ];
}

export const DLP_TEMPLATES: RecordTemplate[] = [
  {
    kind: 'dlp.sharepoint.rule-match',
    contentType: 'DLP.All',
    weight: 2,
    build: (ctx) => {
      const user = pickUser(ctx);
      const file = randomFile(ctx, user);
      const record = baseRecord(ctx, {
        RecordType: 11,
        Operation: 'DlpRuleMatch',
        Workload: file.workload,
        UserKey: 'DlpAgent',
        UserType: 4,
        UserId: user.upn,
        ObjectId: `${file.siteUrl}${file.relativeUrl}/${file.fileName}`,
      });
      return Object.assign(record, {
        IncidentId: ctx.rng.guid(),
        PolicyDetails: policy(ctx, ctx.rng.pick(['Low', 'Medium', 'High']), ['NotifyUser', 'GenerateIncidentReport']),
        SensitiveInfoDetectionIsIncluded: false,
        SharePointMetaData: {
          From: user.upn,
          itemCreationTime: record.CreationTime,
          SiteCollectionGuid: ctx.rng.guid(),
          SiteCollectionUrl: file.siteUrl,
          FileName: file.fileName,
          FilePathUrl: record.ObjectId,
          FileOwner: user.displayName,
          UniqueId: ctx.rng.guid(),
          IsViewableByExternalUsers: false,
        },
      });
    },
  },
  {
    kind: 'dlp.exchange.rule-match',
    contentType: 'DLP.All',
    weight: 2,
    build: (ctx) => {
      const user = pickUser(ctx);
      const messageId = `<${ctx.rng.hex(16)}@PAXPR02MB7630.eurprd02.prod.outlook.com>`;
      const record = baseRecord(ctx, {
        RecordType: 13,
        Operation: 'DlpRuleMatch',
        Workload: 'Exchange',
        UserKey: 'DlpAgent',
        UserType: 4,
        UserId: user.upn,
        ObjectId: messageId,
      });
      return Object.assign(record, {
        IncidentId: ctx.rng.guid(),
        PolicyDetails: policy(ctx, 'High', ['BlockAccess', 'NotifyUser']),
        SensitiveInfoDetectionIsIncluded: false,
        ExchangeMetaData: {
          BCC: [],
          CC: [],
          FileSize: ctx.rng.int(5000, 80000),
          From: user.upn,
          MessageID: messageId,
          RecipientCount: 1,
          Sent: record.CreationTime,
          Subject: 'Customer list',
          To: [`buyer@partner.example`],
          UniqueID: ctx.rng.guid(),
        },
      });
    },
  },
];
