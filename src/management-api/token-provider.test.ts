import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'undici';
import { Secret } from '../core/secret.ts';
import { createTestCertificateAsync, startEmulator } from '../emulator/index.ts';
import { endpointsFor } from './clouds.ts';
import { ApiError } from './errors.ts';
import { MsalTokenProvider } from './token-provider.ts';

const TENANT = '6f2f1a3c-1b2d-4c8e-9a7b-0c1d2e3f4a5b';
const SECRET_APP = '3c5d7e9f-1a2b-4c3d-8e4f-5a6b7c8d9e0f';
const CERT_APP = '5e7f9a1b-3c4d-4e5f-8a6b-7c8d9e0f1a2b';

test('MSAL tokens from the emulator: secret and certificate (x5t#S256), cached, refreshed on demand; clear errors', async () => {
  const [registered, unregistered] = await Promise.all([createTestCertificateAsync(), createTestCertificateAsync('other')]);
  const emulator = await startEmulator({
    seed: 2,
    tenants: [
      {
        tenantId: TENANT,
        name: 'contoso',
        apps: [
          { clientId: SECRET_APP, clientSecret: 'right-secret' },
          { clientId: CERT_APP, certificatePem: registered.certificatePem },
        ],
      },
    ],
  });
  const dispatcher = new Agent({ connect: { ca: emulator.caPem } });
  const endpoints = endpointsFor({ cloud: 'commercial', login_url: emulator.url, api_url: emulator.url });
  const provider = (credentials: {
    client_id: string;
    client_secret?: Secret;
    certificate?: { certificate: string; private_key: Secret };
  }) => new MsalTokenProvider({ name: 'contoso', tenant_id: TENANT, ...credentials }, endpoints, dispatcher, 10_000);
  try {
    const bySecret = provider({ client_id: SECRET_APP, client_secret: new Secret('right-secret') });
    const [a, b] = await Promise.all([bySecret.getToken(), bySecret.getToken()]);
    assert.equal(a, b);
    assert.equal(await bySecret.getToken(), a, 'cached');
    assert.equal(emulator.stats().tokensIssued, 1);
    await bySecret.getToken(true);
    assert.equal(emulator.stats().tokensIssued, 2, 'refresh bypasses the cache');
    const claims = JSON.parse(Buffer.from(a.split('.')[1] ?? '', 'base64url').toString()) as { aud: string; tid: string };
    assert.equal(claims.tid, TENANT);

    const byCert = provider({
      client_id: CERT_APP,
      certificate: { certificate: registered.certificatePem, private_key: new Secret(registered.privateKeyPem) },
    });
    assert.ok((await byCert.getToken()).length > 20);

    const wrongCert = provider({
      client_id: CERT_APP,
      certificate: { certificate: unregistered.certificatePem, private_key: new Secret(unregistered.privateKeyPem) },
    });
    await assert.rejects(
      wrongCert.getToken(),
      (err: unknown) => err instanceof ApiError && err.kind === 'auth' && /AADSTS700027/.test(err.message),
    );

    const wrongSecret = provider({ client_id: SECRET_APP, client_secret: new Secret('bad-secret-xyz') });
    await assert.rejects(wrongSecret.getToken(), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.kind, 'auth');
      assert.equal(
        err.message,
        "cannot get a token for tenant contoso: invalid_client: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '3c5d7e9f-1a2b-4c3d-8e4f-5a6b7c8d9e0f'.",
      );
      assert.ok(!JSON.stringify(err).includes('bad-secret-xyz'));
      return true;
    });

    const brokenCert = provider({
      client_id: CERT_APP,
      certificate: { certificate: '/nonexistent/cert.pem', private_key: new Secret('nope') },
    });
    await assert.rejects(
      brokenCert.getToken(),
      /credentials of tenant contoso cannot be used: certificate.certificate: cannot read certificate file \/nonexistent\/cert.pem \(ENOENT\)/,
    );

    const unreachable = new MsalTokenProvider(
      { name: 'contoso', tenant_id: TENANT, client_id: SECRET_APP, client_secret: new Secret('x') },
      endpointsFor({ cloud: 'commercial', login_url: 'https://127.0.0.1:1', api_url: emulator.url }),
      dispatcher,
      2000,
    );
    await assert.rejects(unreachable.getToken(), (err: unknown) => err instanceof ApiError && err.kind === 'transient');
  } finally {
    await dispatcher.close();
    await emulator.stop();
  }
});
