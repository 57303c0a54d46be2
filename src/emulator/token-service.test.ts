import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ConfidentialClientApplication, type NodeAuthOptions } from '@azure/msal-node';
import { createTestCertificateAsync, type GeneratedCertificate } from './certificates.ts';
import { startEmulator } from './emulator.ts';
import { decodeJwt, signJwt } from './jwt.ts';
import { APP_A, SECRET_A, TENANT_A, TestClient } from './test-support.ts';
import { createMsalNetworkClient } from './trusting-client.ts';
import type { Emulator } from './types.ts';

const CERT_APP = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

type AadError = {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
};

describe('emulated Entra ID token endpoints', () => {
  let em: Emulator;
  let client: TestClient;
  let cert: GeneratedCertificate;
  let otherCert: GeneratedCertificate;

  before(async () => {
    [cert, otherCert] = await Promise.all([createTestCertificateAsync(), createTestCertificateAsync('unregistered')]);
    em = await startEmulator({
      seed: 1,
      tenants: [
        {
          tenantId: TENANT_A,
          name: 'contoso',
          domain: 'contoso.onmicrosoft.com',
          apps: [
            { clientId: APP_A, clientSecret: SECRET_A },
            { clientId: CERT_APP, certificatePem: cert.certificatePem },
          ],
        },
      ],
    });
    client = new TestClient(em);
  });
  after(async () => {
    await client.close();
    await em.stop();
  });

  function assertion(
    claims: Record<string, unknown>,
    signWith = cert,
    header: Record<string, string> = { x5t: Buffer.from(cert.thumbprintSha1, 'hex').toString('base64url') },
  ): string {
    const nowS = Math.floor(Date.now() / 1000);
    return signJwt(
      {
        aud: `${em.url}/${TENANT_A}/oauth2/v2.0/token`,
        iss: CERT_APP,
        sub: CERT_APP,
        jti: randomUUID(),
        nbf: nowS,
        exp: nowS + 600,
        ...claims,
      },
      signWith.privateKeyPem,
      header,
    );
  }

  it('v1 endpoint with a secret returns the v1 shape (numbers as strings, resource) and a v1 access token', async () => {
    const res = await client.postForm(`/${TENANT_A}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_id: APP_A,
      client_secret: SECRET_A,
      resource: 'https://manage.office.com',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    const body = res.json as Record<string, unknown>;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, '3599');
    assert.equal(body.resource, 'https://manage.office.com');
    assert.match(String(body.expires_on), /^\d+$/);
    assert.match(String(body.not_before), /^\d+$/);
    const claims = decodeJwt(String(body.access_token))?.claims;
    assert.ok(claims);
    assert.equal(claims.aud, 'https://manage.office.com');
    assert.equal(claims.iss, `https://sts.windows.net/${TENANT_A}/`);
    assert.equal(claims.tid, TENANT_A);
    assert.equal(claims.appid, APP_A);
    assert.equal(claims.appidacr, '1');
    assert.equal(claims.ver, '1.0');
    assert.deepEqual(claims.roles, ['ActivityFeed.Read', 'ActivityFeed.ReadDlp']);
    assert.ok(Math.abs(Number(claims.exp) - (Date.now() / 1000 + 3599)) < 60);
  });

  it('v2 endpoint with a secret returns integer expires_in/ext_expires_in; the tenant may be a domain', async () => {
    const res = await client.postForm('/contoso.onmicrosoft.com/oauth2/v2.0/token', {
      grant_type: 'client_credentials',
      client_id: APP_A,
      client_secret: SECRET_A,
      scope: 'https://manage.office.com/.default',
    });
    assert.equal(res.status, 200);
    const body = res.json as Record<string, unknown>;
    assert.equal(body.expires_in, 3599);
    assert.equal(body.ext_expires_in, 3599);
    assert.equal(body.resource, undefined);
    assert.equal(decodeJwt(String(body.access_token))?.claims.tid, TENANT_A);
  });

  it('answers AADSTS errors with the real JSON shape and status', async () => {
    const cases: { path: string; form: Record<string, string>; status: number; error: string; code: number }[] = [
      {
        path: `/${TENANT_A}/oauth2/v2.0/token`,
        form: {
          grant_type: 'client_credentials',
          client_id: APP_A,
          client_secret: 'wrong',
          scope: 'https://manage.office.com/.default',
        },
        status: 401,
        error: 'invalid_client',
        code: 7000215,
      },
      {
        path: '/unknown.example.com/oauth2/v2.0/token',
        form: {
          grant_type: 'client_credentials',
          client_id: APP_A,
          client_secret: SECRET_A,
          scope: 'https://manage.office.com/.default',
        },
        status: 400,
        error: 'invalid_tenant',
        code: 90002,
      },
      {
        path: `/${TENANT_A}/oauth2/v2.0/token`,
        form: {
          grant_type: 'client_credentials',
          client_id: randomUUID(),
          client_secret: SECRET_A,
          scope: 'https://manage.office.com/.default',
        },
        status: 400,
        error: 'unauthorized_client',
        code: 700016,
      },
      {
        path: `/${TENANT_A}/oauth2/v2.0/token`,
        form: { grant_type: 'client_credentials', client_id: APP_A, client_secret: SECRET_A, scope: 'https://manage.office.com' },
        status: 400,
        error: 'invalid_scope',
        code: 1002012,
      },
      {
        path: `/${TENANT_A}/oauth2/v2.0/token`,
        form: { grant_type: 'client_credentials', client_id: APP_A, scope: 'https://manage.office.com/.default' },
        status: 401,
        error: 'invalid_client',
        code: 7000218,
      },
      {
        path: `/${TENANT_A}/oauth2/token`,
        form: { client_id: APP_A, client_secret: SECRET_A, resource: 'https://manage.office.com' },
        status: 400,
        error: 'invalid_request',
        code: 900144,
      },
      {
        path: `/${TENANT_A}/oauth2/token`,
        form: {
          grant_type: 'client_credentials',
          client_id: APP_A,
          client_secret: SECRET_A,
          resource: 'https://graph.example.com',
        },
        status: 400,
        error: 'invalid_resource',
        code: 500011,
      },
    ];
    for (const c of cases) {
      const res = await client.postForm(c.path, c.form);
      const body = res.json as AadError;
      assert.equal(res.status, c.status, `AADSTS${c.code}: ${res.text}`);
      assert.equal(body.error, c.error);
      assert.deepEqual(body.error_codes, [c.code]);
      assert.match(
        body.error_description,
        new RegExp(
          `^AADSTS${c.code}: .*\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
          's',
        ),
      );
      assert.match(body.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
      assert.equal(body.error_uri, `https://login.microsoftonline.com/error?code=${c.code}`);
      assert.ok(!res.text.includes(SECRET_A), 'the secret never appears in an error');
    }
  });

  it('accepts a certificate client assertion (RS256, x5t) and marks the token appidacr 2', async () => {
    const res = await client.postForm(`/${TENANT_A}/oauth2/v2.0/token`, {
      grant_type: 'client_credentials',
      client_id: CERT_APP,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion({}),
      scope: 'https://manage.office.com/.default',
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(decodeJwt(String((res.json as { access_token: string }).access_token))?.claims.appidacr, '2');
  });

  it('rejects bad assertions: unregistered cert, bad signature, wrong aud, iss≠client (700027) and time window (700024)', async () => {
    const send = (a: string) =>
      client.postForm(`/${TENANT_A}/oauth2/v2.0/token`, {
        grant_type: 'client_credentials',
        client_id: CERT_APP,
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: a,
        scope: 'https://manage.office.com/.default',
      });
    const codeOf = async (a: string) => {
      const r = await send(a);
      return [r.status, (r.json as AadError).error_codes[0]];
    };
    const otherX5t = { x5t: Buffer.from(otherCert.thumbprintSha1, 'hex').toString('base64url') };
    assert.deepEqual(await codeOf(assertion({}, otherCert, otherX5t)), [401, 700027]);
    assert.deepEqual(await codeOf(assertion({}, otherCert)), [401, 700027], 'registered x5t but signed by another key');
    assert.deepEqual(await codeOf(assertion({ aud: `${em.url}/${TENANT_A}/oauth2/token` })), [401, 700027]);
    assert.deepEqual(await codeOf(assertion({ iss: 'someone-else' })), [401, 700027]);
    assert.deepEqual(await codeOf('not-a-jwt'), [401, 700027]);
    const nowS = Math.floor(Date.now() / 1000);
    assert.deepEqual(await codeOf(assertion({ nbf: nowS - 7200, exp: nowS - 3600 })), [401, 700024]);
    assert.deepEqual(await codeOf(assertion({ nbf: nowS + 3600, exp: nowS + 7200 })), [401, 700024]);
  });

  it('serves OpenID metadata and instance discovery pointing at the emulator', async () => {
    const v2 = await client.call('GET', `${em.url}/${TENANT_A}/v2.0/.well-known/openid-configuration`);
    assert.equal(v2.status, 200);
    assert.equal((v2.json as { token_endpoint: string }).token_endpoint, `${em.url}/${TENANT_A}/oauth2/v2.0/token`);
    const v1 = await client.call('GET', `${em.url}/contoso.onmicrosoft.com/.well-known/openid-configuration`);
    assert.equal((v1.json as { token_endpoint: string }).token_endpoint, `${em.url}/contoso.onmicrosoft.com/oauth2/token`);
    assert.equal((await client.call('GET', `${em.url}/nope.example/v2.0/.well-known/openid-configuration`)).status, 400);
    const discovery = await client.call(
      'GET',
      `${em.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${em.url}/${TENANT_A}/oauth2/v2.0/authorize`)}`,
    );
    assert.equal(
      (discovery.json as { tenant_discovery_endpoint: string }).tenant_discovery_endpoint,
      `${em.url}/{tenantid}/v2.0/.well-known/openid-configuration`,
    );
  });

  describe('with @azure/msal-node (custom network client trusting caPem)', () => {
    function msal(auth: Omit<NodeAuthOptions, 'authority' | 'knownAuthorities'>): ConfidentialClientApplication {
      return new ConfidentialClientApplication({
        auth: { authority: `${em.url}/${TENANT_A}`, knownAuthorities: [new URL(em.url).host], ...auth },
        system: { networkClient: createMsalNetworkClient(em.caPem) },
      });
    }

    it('gets a token with a client secret', async () => {
      const before = em.stats().requests;
      const result = await msal({ clientId: APP_A, clientSecret: SECRET_A }).acquireTokenByClientCredential({
        scopes: ['https://manage.office.com/.default'],
      });
      assert.equal(decodeJwt(result?.accessToken ?? '')?.claims.tid, TENANT_A);
      const after = em.stats().requests;
      assert.equal((after.openid ?? 0) - (before.openid ?? 0), 1, 'MSAL read the OpenID metadata from the emulator');
      assert.equal((after.token ?? 0) - (before.token ?? 0), 1);
    });

    it('gets a token with a certificate (SHA-256 thumbprint → PS256, and SHA-1 thumbprint → RS256)', async () => {
      for (const clientCertificate of [
        { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.privateKeyPem },
        { thumbprint: cert.thumbprintSha1, privateKey: cert.privateKeyPem },
      ]) {
        const result = await msal({ clientId: CERT_APP, clientCertificate }).acquireTokenByClientCredential({
          scopes: ['https://manage.office.com/.default'],
        });
        assert.equal(decodeJwt(result?.accessToken ?? '')?.claims.appidacr, '2');
      }
    });

    it('surfaces AADSTS7000215 for a wrong secret', async () => {
      await assert.rejects(
        msal({ clientId: APP_A, clientSecret: 'wrong' }).acquireTokenByClientCredential({
          scopes: ['https://manage.office.com/.default'],
        }),
        (err: Error & { errorCode?: string }) => err.message.includes('AADSTS7000215') && err.errorCode === 'invalid_client',
      );
    });
  });
});
