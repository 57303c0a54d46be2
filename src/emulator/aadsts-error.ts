import type { Rng } from './rng.ts';

/** An Entra ID token-endpoint error with the real JSON shape. */
export class AadstsError {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    readonly description: string,
  ) {}

  body(rng: Rng, now: number): Record<string, unknown> {
    const timestamp = new Date(now)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
    const traceId = rng.guid();
    const correlationId = rng.guid();
    return {
      error: this.error,
      error_description: `AADSTS${this.code}: ${this.description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [this.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${this.code}`,
    };
  }
}

export const aadsts = {
  badSecret: (clientId: string) =>
    new AadstsError(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    ),
  noCredential: () =>
    new AadstsError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  unknownTenant: (tenant: string) =>
    new AadstsError(
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    ),
  unknownClient: (clientId: string, tenant: string) =>
    new AadstsError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    ),
  missingField: (field: string) =>
    new AadstsError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${field}'.`),
  badGrantType: (grant: string) =>
    new AadstsError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`),
  scopeWithoutDefault: (scope: string) =>
    new AadstsError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  unknownResource: (resource: string, tenant: string) =>
    new AadstsError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    ),
  badAssertion: (reason: string) =>
    new AadstsError(401, 'invalid_client', 700027, `Client assertion failed signature validation. ${reason}`),
  temporarilyUnavailable: (status: number) =>
    new AadstsError(
      status,
      'temporarily_unavailable',
      50000,
      'There was an error issuing a token or an issue with our sign-in service. Please try again.',
    ),
  assertionTime: () => new AadstsError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.'),
};
