import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get } from '../../normalize/document.ts';
import { normalize } from '../../normalize/normalize.ts';
import { Rng } from '../rng.ts';
import { createTenantContext, generateRecord } from './index.ts';

const TENANT = createTenantContext('6f2f1a3c-1b2d-4c8e-9a7b-0c1d2e3f4a5b', { name: 'contoso' });

test('emulated Copilot and AI app interactions normalize with their dedicated mapping', () => {
  const rng = new Rng(7);
  let flagged = 0;
  for (let i = 0; i < 400; i++) {
    const doc = normalize(generateRecord(i % 2 === 0 ? 'copilot.interaction' : 'ai-app.interaction', rng, TENANT));
    assert.equal(doc.message, undefined);
    assert.equal(typeof get(doc, 'office365.copilot.app_host'), 'string');
    assert.equal(get(doc, 'office365.copilot.prompt_count'), 1);
    assert.match(String(get(doc, 'url.domain')), /^contoso\.sharepoint\.com$/);
    if (get(doc, 'threat.framework') === 'MITRE ATLAS') flagged++;
  }
  assert.ok(flagged > 0 && flagged < 40, `a few interactions are flagged as jailbreak / XPIA (${flagged})`);
});

test('emulated Defender for Endpoint alerts and Entra risk detections are alerts with hosts, techniques and IPs', () => {
  const rng = new Rng(8);
  const alert = normalize(generateRecord('defender.endpoint-alert', rng, TENANT));
  assert.equal(get(alert, 'event.kind'), 'alert');
  assert.match(String(get(alert, 'host.name')), /^wks-\d+\.contoso\.com$/);
  assert.match(String((get(alert, 'threat.technique.id') as string[])[0]), /^T\d{4}\.\d{3}$/);
  const risk = normalize(generateRecord('entra.risk-detection', rng, TENANT));
  assert.equal(get(risk, 'event.kind'), 'alert');
  assert.equal(typeof get(risk, 'source.ip'), 'string');
  assert.equal(typeof get(risk, 'rule.name'), 'string');
});
