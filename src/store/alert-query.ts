import { ALERT_LEVELS, type AlertLevel } from '../core/alert.ts';
import { StoreQueryError } from './errors.ts';
import type { SqlWhere } from './event-query.ts';

export interface AlertQuery {
  /** Tenant id or tenant name. */
  tenant?: string;
  /** Only alerts at this level or above. */
  minLevel?: AlertLevel;
  ruleId?: string;
  /** Words that must all appear in the title (case-insensitive). */
  text?: string;
  /** Alert (event) time range, epoch ms: from inclusive, to exclusive. */
  from?: number;
  to?: number;
  /** Page size, 1–500 (default 50). */
  limit?: number;
  cursor?: string;
}

export function levelRank(level: AlertLevel): number {
  return ALERT_LEVELS.indexOf(level);
}

export function parseLevel(value: string): AlertLevel {
  const level = ALERT_LEVELS.find((l) => l === value);
  if (!level) throw new StoreQueryError('level', `must be one of ${ALERT_LEVELS.join(', ')}`);
  return level;
}

function escapeLike(word: string): string {
  return word.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** WHERE clause over `alerts a`. */
export function alertWhereOf(query: AlertQuery): SqlWhere {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (query.tenant) {
    clauses.push('(a.tenant_id = ? OR a.tenant_name = ?)');
    params.push(query.tenant, query.tenant);
  }
  if (query.minLevel) {
    clauses.push('a.level_rank >= ?');
    params.push(levelRank(parseLevel(query.minLevel)));
  }
  if (query.ruleId) {
    clauses.push('a.rule_id = ?');
    params.push(query.ruleId);
  }
  for (const word of query.text?.split(/\s+/).filter(Boolean) ?? []) {
    clauses.push("a.title LIKE ? ESCAPE '\\'");
    params.push(`%${escapeLike(word)}%`);
  }
  if (query.from !== undefined) {
    clauses.push('a.time >= ?');
    params.push(query.from);
  }
  if (query.to !== undefined) {
    clauses.push('a.time < ?');
    params.push(query.to);
  }
  return { sql: clauses.length > 0 ? clauses.join(' AND ') : '1', params };
}
