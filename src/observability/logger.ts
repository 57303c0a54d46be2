import { pino, type Logger } from 'pino';

export type { Logger };

/** Keys whose values are never logged, wherever they appear in a log object. */
const REDACT_PATHS = [
  'client_secret',
  '*.client_secret',
  'clientSecret',
  '*.clientSecret',
  'private_key',
  '*.private_key',
  'privateKey',
  '*.privateKey',
  'intake_key',
  '*.intake_key',
  'intakeKey',
  '*.intakeKey',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'accessToken',
  '*.accessToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'password',
  '*.password',
  'auth_token',
  '*.auth_token',
  'connection_string',
  '*.connection_string',
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { app: 'o365-intake' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination ?? pino.destination(2),
  );
}

/** A logger that discards everything, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
