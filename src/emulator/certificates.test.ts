import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate, createPrivateKey } from 'node:crypto';
import { createTestCertificate, createTestCertificateAsync } from './certificates.ts';

describe('test certificates', () => {
  it('createTestCertificate (sync) returns a 2048-bit RSA cert, its key and hex thumbprints', () => {
    const cert = createTestCertificate();
    const x509 = new X509Certificate(cert.certificatePem);
    assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(x509.checkPrivateKey(createPrivateKey(cert.privateKeyPem)), true);
    assert.equal(cert.thumbprintSha1, createHash('sha1').update(x509.raw).digest('hex').toUpperCase());
    assert.equal(cert.thumbprintSha256, createHash('sha256').update(x509.raw).digest('hex').toUpperCase());
  });

  it('createTestCertificateAsync gives a different certificate each time', async () => {
    const [a, b] = await Promise.all([createTestCertificateAsync(), createTestCertificateAsync()]);
    assert.notEqual(a.thumbprintSha1, b.thumbprintSha1);
  });
});
