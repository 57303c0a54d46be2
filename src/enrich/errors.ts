import { IntakeError } from '../core/errors.ts';

/** The offline IP → country database could not be read (missing or corrupt file). */
export class GeoDatabaseError extends IntakeError {
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('GEOIP_DATABASE_INVALID', `GeoIP database ${path}: ${reason}`, options);
    this.path = path;
  }
}

/** The offline IP → autonomous system data could not be read (missing file, malformed or unsorted line). */
export class AsnDatabaseError extends IntakeError {
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('ASN_DATABASE_INVALID', `ASN database ${path}: ${reason}`, options);
    this.path = path;
  }
}
