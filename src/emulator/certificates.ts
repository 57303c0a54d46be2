import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { generate } from 'selfsigned';

export interface GeneratedCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** Hex SHA-1 thumbprint (what MSAL's `clientCertificate.thumbprint` expects). */
  thumbprintSha1: string;
  /** Hex SHA-256 thumbprint (`clientCertificate.thumbprintSha256`). */
  thumbprintSha256: string;
}

const DAY_MS = 86_400_000;

function selfsignedOptions(withServerNames: boolean): Parameters<typeof generate>[1] {
  return {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - DAY_MS),
    notAfterDate: new Date(Date.now() + 365 * DAY_MS),
    extensions: withServerNames
      ? [
          { name: 'basicConstraints', cA: true },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
          { name: 'extKeyUsage', serverAuth: true },
          {
            name: 'subjectAltName',
            altNames: [
              { type: 7, ip: '127.0.0.1' },
              { type: 7, ip: '::1' },
              { type: 2, value: 'localhost' },
            ],
          },
        ]
      : [{ name: 'keyUsage', digitalSignature: true }],
  };
}

function describeCertificate(certificatePem: string, privateKeyPem: string): GeneratedCertificate {
  const x509 = new X509Certificate(certificatePem);
  return {
    certificatePem,
    privateKeyPem,
    thumbprintSha1: x509.fingerprint.replace(/:/g, ''),
    thumbprintSha256: x509.fingerprint256.replace(/:/g, ''),
  };
}

/** TLS certificate for the emulator: valid for 127.0.0.1, ::1 and localhost; also its own CA. */
export async function createServerCertificate(): Promise<GeneratedCertificate> {
  const pems = await generate([{ name: 'commonName', value: 'o365-intake emulator' }], selfsignedOptions(true));
  return describeCertificate(pems.cert, pems.private);
}

/** An app-registration certificate for client-assertion sign-in tests. */
export async function createTestCertificateAsync(commonName = 'o365-intake test app'): Promise<GeneratedCertificate> {
  const pems = await generate([{ name: 'commonName', value: commonName }], selfsignedOptions(false));
  return describeCertificate(pems.cert, pems.private);
}

/**
 * Synchronous variant (selfsigned only has an async API, so this runs it in a short-lived child
 * Node process). Prefer createTestCertificateAsync where you can await.
 */
export function createTestCertificate(): GeneratedCertificate {
  const selfsignedPath = createRequire(import.meta.url).resolve('selfsigned');
  const script = `
    const { generate } = require(${JSON.stringify(selfsignedPath)});
    generate([{ name: 'commonName', value: 'o365-intake test app' }], {
      keySize: 2048, algorithm: 'sha256',
      notBeforeDate: new Date(Date.now() - ${DAY_MS}), notAfterDate: new Date(Date.now() + ${365 * DAY_MS}),
      extensions: [{ name: 'keyUsage', digitalSignature: true }],
    }).then((r) => process.stdout.write(JSON.stringify({ cert: r.cert, key: r.private })));`;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
  const parsed = JSON.parse(out) as { cert: string; key: string };
  return describeCertificate(parsed.cert, parsed.key);
}
