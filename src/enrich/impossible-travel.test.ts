import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alert } from '../core/alert.ts';
import { bundledRulesDir, createDetector, loadRules } from '../detect/index.ts';
import { normalize, parseRawRecord, timestampMillis } from '../normalize/index.ts';
import { createGeoEnricher } from './geo-enricher.ts';

const RULE_TITLE = 'Sign-Ins From Two Countries Within 30 Minutes';

/** A successful Entra ID sign-in as the Management Activity API delivers it (AzureActiveDirectory content). */
function signIn(id: number, user: string, clientIp: string, creationTime: string): string {
  return JSON.stringify({
    CreationTime: creationTime,
    Id: `0b6c1f0e-3c53-4c2e-9a1e-${String(id).padStart(12, '0')}`,
    Operation: 'UserLoggedIn',
    OrganizationId: '4c6f2a7e-1111-4d5e-9b9b-6c0d2b1a0c11',
    RecordType: 15,
    ResultStatus: 'Success',
    UserKey: `1003200012345${id}`,
    UserType: 0,
    Version: 1,
    Workload: 'AzureActiveDirectory',
    ClientIP: clientIp,
    ObjectId: '00000003-0000-0ff1-ce00-000000000000',
    UserId: user,
    AzureActiveDirectoryEventType: 1,
    ExtendedProperties: [
      {
        Name: 'UserAgent',
        Value: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36',
      },
      { Name: 'RequestType', Value: 'OAuth2:Authorize' },
      { Name: 'ResultStatusDetail', Value: 'Success' },
    ],
    Actor: [{ ID: user, Type: 5 }],
    ApplicationId: '00000003-0000-0ff1-ce00-000000000000',
  });
}

/** Raw lines → normalize → enrich → detector, the way the pipeline runs them; returns every alert raised. */
function detect(lines: string[], enrich: boolean): Alert[] {
  const { rules, filters, errors } = loadRules([bundledRulesDir()]);
  assert.deepEqual(errors.map(String), []);
  const detector = createDetector({ rules, filters });
  const enricher = createGeoEnricher();
  const alerts: Alert[] = [];
  let last = 0;
  for (const line of lines) {
    const parsed = parseRawRecord(line);
    assert.ok(parsed.ok);
    const ecs = normalize(parsed.record);
    if (enrich) enricher.enrich(ecs);
    const time = timestampMillis(ecs['@timestamp']) ?? Date.parse(`${String(parsed.record.CreationTime)}Z`);
    last = Math.max(last, time);
    alerts.push(
      ...detector.process({
        id: `tenant-1:${String(parsed.record.Id)}`,
        tenantId: 'tenant-1',
        tenantName: 'Contoso',
        time,
        ecs,
        raw: parsed.record,
      }),
    );
  }
  alerts.push(...detector.flush());
  return alerts.filter((a) => a.title === RULE_TITLE);
}

test('sign-ins of one user from France then Russia within 30 minutes raise the two-countries alert', () => {
  const alerts = detect(
    [
      signIn(1, 'alice@contoso.example', '90.84.12.7', '2026-11-20T08:00:00'),
      signIn(2, 'alice@contoso.example', '90.84.12.8', '2026-11-20T08:05:00'),
      signIn(3, 'alice@contoso.example', '95.165.40.2:51234', '2026-11-20T08:20:00'),
    ],
    true,
  );
  assert.equal(alerts.length, 1);
  assert.match(JSON.stringify(alerts[0]), /alice@contoso\.example/);
});

test('no alert without enrichment, for one country, for two users, or when the sign-ins are hours apart', () => {
  const twoCountries = [
    signIn(1, 'alice@contoso.example', '90.84.12.7', '2026-11-20T08:00:00'),
    signIn(2, 'alice@contoso.example', '95.165.40.2', '2026-11-20T08:10:00'),
  ];
  assert.equal(detect(twoCountries, false).length, 0, 'without GeoIP the rule has no country to count');
  assert.equal(
    detect(
      [
        signIn(1, 'alice@contoso.example', '90.84.12.7', '2026-11-20T08:00:00'),
        signIn(2, 'alice@contoso.example', '82.64.1.1', '2026-11-20T08:10:00'),
      ],
      true,
    ).length,
    0,
    'two French addresses',
  );
  assert.equal(
    detect(
      [
        signIn(1, 'alice@contoso.example', '90.84.12.7', '2026-11-20T08:00:00'),
        signIn(2, 'bob@contoso.example', '95.165.40.2', '2026-11-20T08:10:00'),
      ],
      true,
    ).length,
    0,
    'two users',
  );
  assert.equal(
    detect(
      [
        signIn(1, 'alice@contoso.example', '90.84.12.7', '2026-11-20T08:00:00'),
        signIn(2, 'alice@contoso.example', '95.165.40.2', '2026-11-20T11:00:00'),
      ],
      true,
    ).length,
    0,
    'three hours apart',
  );
  assert.equal(
    detect(
      [
        signIn(1, 'alice@contoso.example', '10.0.0.4', '2026-11-20T08:00:00'),
        signIn(2, 'alice@contoso.example', '192.168.1.9', '2026-11-20T08:10:00'),
      ],
      true,
    ).length,
    0,
    'private addresses have no country',
  );
});
