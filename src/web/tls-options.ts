import { readFileSync } from 'node:fs';
import type { WebConfig } from './config.ts';
import { WebServerError } from './errors.ts';

export interface TlsOptions {
  cert: string;
  key: string;
}

/** The HTTPS options of the web server, or undefined for plain HTTP. */
export function tlsOptionsOf(config: WebConfig): TlsOptions | undefined {
  if (!config.tls) return undefined;
  let cert: string;
  try {
    cert = readFileSync(config.tls.cert, 'utf8');
  } catch (err) {
    throw new WebServerError(`web.tls.cert: cannot read ${config.tls.cert} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: err,
    });
  }
  if (!cert.includes('-----BEGIN CERTIFICATE-----'))
    throw new WebServerError(`web.tls.cert: ${config.tls.cert} is not a PEM certificate`);
  const key = config.tls.key.reveal();
  if (!/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(key))
    throw new WebServerError('web.tls.key: is not a PEM private key');
  return { cert, key };
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
