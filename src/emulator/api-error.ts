import { IntakeError } from '../core/errors.ts';

/** An Activity API error: HTTP status + `{"error":{"code":"AFxxxxx","message":"…"}}`. */
export class ApiError extends IntakeError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Body to send instead of the AF envelope (ASP.NET-level errors). */
    readonly rawBody?: unknown,
  ) {
    super(code, message);
  }

  body(): unknown {
    return this.rawBody ?? { error: { code: this.code, message: this.message } };
  }
}

export const WINDOW_MESSAGE =
  'Start time and end time must both be specified (or both omitted) and must be less than or equal to 24 hours apart, with the start time no more than 7 days in the past. Also the start time must be prior to end time.';

export const apiErrors = {
  /** Missing, invalid or expired bearer token: ASP.NET's own 401, before any AF code is involved. */
  unauthorized: (reason: string) =>
    new ApiError(
      401,
      'Unauthorized',
      reason,
      { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${reason}"` },
      { Message: 'Authorization has been denied for this request.' },
    ),
  missingRole: (roles: string[]) =>
    new ApiError(
      401,
      'AF10001',
      `The permission set (${roles.join(' ')}) sent in the request does not include the expected permission.`,
    ),
  tenantMismatch: () =>
    new ApiError(401, 'AF20010', 'The tenant ID passed in the URL does not match the tenant ID passed in the access token.'),
  tenantNotGuid: (value: string) =>
    new ApiError(400, 'AF20013', `The tenant ID passed in the URL (${value}) is not a valid GUID.`),
  badContentType: (value: string) => new ApiError(400, 'AF20020', `The specified content type is not valid: ${value}.`),
  noSubscription: () => new ApiError(400, 'AF20022', 'No subscription found for the specified content type'),
  subscriptionDisabled: () => new ApiError(400, 'AF20023', 'The subscription was disabled.'),
  alreadyEnabled: () => new ApiError(400, 'AF20024', 'The subscription is already enabled. No property change.'),
  badParameterType: (name: string, expected: string) =>
    new ApiError(400, 'AF20002', `Invalid parameter type: ${name}. Expected type: ${expected}`),
  badWindow: (start: string, end: string) => new ApiError(400, 'AF20055', `${WINDOW_MESSAGE} StartTime:${start}, EndTime:${end}`),
  badNextPage: (value: string) => new ApiError(400, 'AF20031', `Invalid nextPage Input: ${value}.`),
  contentNotFound: (id: string) => new ApiError(404, 'AF20050', `The specified content (${id}) does not exist.`),
  contentExpired: (id: string) =>
    new ApiError(
      400,
      'AF20051',
      `Content requested with the key ${id} has already expired. Content older than 7 days cannot be retrieved.`,
    ),
  badContentId: (id: string) => new ApiError(400, 'AF20052', `Content ID ${id} in the URL is invalid.`),
  badLanguage: (many: boolean) =>
    many
      ? new ApiError(400, 'AF20053', 'Only one language may be present in the Accept-Language header.')
      : new ApiError(400, 'AF20054', 'Invalid syntax for Accept-Language header.'),
  throttled: (method: string, publisherId: string, status: 403 | 429) =>
    new ApiError(
      status,
      'AF429',
      `Too many requests. Method=${method}, PublisherId=${publisherId}`,
      status === 429 ? { 'Retry-After': '1' } : {},
    ),
  internal: () => new ApiError(500, 'AF50000', 'An internal error occurred.  Retry the request.'),
  auditDisabled: (tenantId: string, method: string, contentType: string, appId: string, publisherId: string) =>
    new ApiError(
      400,
      `${method} [TenantId=${tenantId},ContentType=${contentType},ApplicationId=${appId},PublisherId=${publisherId}] failed. Exception`,
      `Microsoft.Office.Compliance.Audit.DataServiceException: Tenant ${tenantId} does not exist.\r\n   at Microsoft.Office.Compliance.Audit.API.AuditApiServiceBase.ValidateTenantAsync(Guid tenantId)\r\n   at Microsoft.Office.Compliance.Audit.API.ActivityFeedController.${method}()`,
    ),
  notFound: () => new ApiError(404, 'NotFound', 'No HTTP resource was found that matches the request URI.'),
};
