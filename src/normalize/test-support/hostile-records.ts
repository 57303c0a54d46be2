// Records built to break a normalizer — deep nesting, huge arrays and strings, impossible dates — as JSON text,
// with what must happen to each: normalized (`expect: 'ok'`) or rejected with a reason matching `reason`.
// Shared by the normalizer, pipeline and CLI tests.

export interface HostileRecord {
  name: string;
  text: string;
  expect: 'ok' | RegExp;
}

const base = (id: string, extra: Record<string, unknown>) => ({
  Id: id,
  CreationTime: '2025-03-04T10:11:12',
  RecordType: 15,
  Operation: 'UserLoggedIn',
  Workload: 'AzureActiveDirectory',
  OrganizationId: '4f2f2a43-6c1d-4c2e-9a43-1d2b7e6f0a11',
  UserId: 'alice@contoso.com',
  ClientIP: '198.51.100.7',
  ...extra,
});

/** `"X": [[[…1…]]]` nested `levels` deep, as text (JSON.stringify cannot build it). */
function deeplyNested(id: string, levels: number, recordType: number): string {
  const head = JSON.stringify(base(id, { RecordType: recordType })).slice(0, -1);
  return `${head},"X":${'['.repeat(levels)}1${']'.repeat(levels)}}`;
}

/** An AIR record with `count` distinct mail message entities in Data. */
export function airRecordText(id: string, count: number): string {
  const entities = Array.from({ length: count }, (_, i) => ({
    Type: 'mailMessage',
    NetworkMessageId: `nm-${i}`,
    Urls: [`https://phish${i}.example/login`],
    SenderIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    Subject: `Invoice ${i}`,
    Recipient: `user${i}@contoso.com`,
  }));
  return JSON.stringify(
    base(id, {
      RecordType: 64,
      Workload: 'AirInvestigation',
      Operation: 'AirInvestigationData',
      Data: JSON.stringify({ IsIncident: false, Entities: entities }),
    }),
  );
}

export function hostileRecords(): HostileRecord[] {
  return [
    { name: 'a plain sign-in', text: JSON.stringify(base('ok-1', {})), expect: 'ok' },
    { name: '10k levels deep', text: deeplyNested('deep-10k', 10_000, 15), expect: /nested deeper than 100 levels under "X"/ },
    {
      name: '100k levels deep, unknown RecordType',
      text: deeplyNested('deep-100k', 100_000, 9999),
      expect: /nested deeper than 100 levels under "X"/,
    },
    {
      name: '100k levels deep inside Data text',
      text: JSON.stringify(
        base('deep-data', { RecordType: 64, Data: `{"Entities":${'['.repeat(100_000)}${']'.repeat(100_000)}}` }),
      ),
      expect: 'ok',
    },
    {
      name: '400k-element array',
      text: JSON.stringify(
        base('wide', {
          RecordType: 3,
          Workload: 'Exchange',
          Operation: 'SoftDelete',
          AffectedItems: Array.from({ length: 400_000 }, (_, i) => ({ Subject: `s${i}`, Attachments: `f${i}.txt (1b)` })),
        }),
      ),
      expect: 'ok',
    },
    {
      name: '5 MB strings (user agent, URL, IP)',
      text: JSON.stringify(
        base('long', {
          RecordType: 6,
          Workload: 'SharePoint',
          Operation: 'FileAccessed',
          UserAgent: `Mozilla/5.0 (${'a'.repeat(5_000_000)}`,
          ObjectId: `https://${'a.'.repeat(2_500_000)}com/`,
          ClientIP: '1'.repeat(5_000_000),
        }),
      ),
      expect: 'ok',
    },
    { name: 'AIR with 100k entities', text: airRecordText('air-100k', 100_000), expect: 'ok' },
    {
      name: 'Copilot interaction with 100k accessed resources',
      text: JSON.stringify(
        base('copilot-100k', {
          RecordType: 261,
          Workload: 'Copilot',
          Operation: 'CopilotInteraction',
          CopilotEventData: {
            AccessedResources: Array.from({ length: 100_000 }, (_, i) => ({
              Id: `r${i}`,
              Name: `doc${i}.docx`,
              SensitivityLabelId: `label-${i}`,
              Action: 'Read',
            })),
          },
        }),
      ),
      expect: 'ok',
    },
    {
      name: 'day 30 of February',
      text: JSON.stringify(base('feb30', { CreationTime: '2024-02-30T10:00:00' })),
      expect: /bad CreationTime "2024-02-30T10:00:00": day 30 does not exist in 2024-02/,
    },
    {
      name: 'second 60',
      text: JSON.stringify(base('sec60', { CreationTime: '2024-06-30T23:59:60Z' })),
      expect: /bad CreationTime "2024-06-30T23:59:60Z": second 60 does not exist/,
    },
    {
      name: 'offset +99:99',
      text: JSON.stringify(base('tz', { CreationTime: '2024-06-26T08:29:14+99:99' })),
      expect: /bad CreationTime "2024-06-26T08:29:14\+99:99": offset \+99:99 does not exist/,
    },
    {
      name: 'expanded year',
      text: JSON.stringify(base('year', { CreationTime: '+012024-06-26T08:29:14Z' })),
      expect: /bad CreationTime "\+012024-06-26T08:29:14Z": expected yyyy-MM-dd/,
    },
    { name: 'the record after them all', text: JSON.stringify(base('ok-2', {})), expect: 'ok' },
  ];
}
