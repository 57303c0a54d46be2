import { ConfigError } from '../core/errors.ts';

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Expands `${NAME}` in every string of a parsed YAML document from `env`.
 * A variable that is not set is a ConfigError naming the key and the variable (never a value).
 */
export function interpolateEnv(node: unknown, env: NodeJS.ProcessEnv, path = ''): unknown {
  if (typeof node === 'string') {
    return node.replace(ENV_REF, (_, name: string) => {
      const value = env[name];
      if (value === undefined) throw new ConfigError(path, `environment variable ${name} is not set`);
      return value;
    });
  }
  if (Array.isArray(node)) return node.map((item, i) => interpolateEnv(item, env, `${path}[${i}]`));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateEnv(v, env, path ? `${path}.${k}` : k)]));
  }
  return node;
}
