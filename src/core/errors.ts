/** Base class of every error this project raises on purpose: `code` is stable and machine-readable. */
export class IntakeError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Invalid configuration; `path` names the offending key (e.g. `tenants[0].client_id`). */
export class ConfigError extends IntakeError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('CONFIG_INVALID', path ? `${path}: ${message}` : message);
    this.path = path;
  }
}
