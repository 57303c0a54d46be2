import { openAnalystDb } from './analyst-db.ts';
import { type AlertTriage, alertTriage } from './alert-triage.ts';
import { type AuditLog, auditLog } from './audit-log.ts';
import { type SavedSearches, savedSearches } from './saved-searches.ts';

/** What analysts write from the web page: alert triage, saved searches, and the audit log of both. */
export interface AnalystStore {
  triage: AlertTriage;
  searches: SavedSearches;
  audit: AuditLog;
  close(): Promise<void>;
}

/** Opens the analyst tables in `path` (the event store's SQLite file, or `:memory:` in tests). */
export function openAnalystStore(path: string): AnalystStore {
  const db = openAnalystDb(path);
  const audit = auditLog(db);
  return {
    triage: alertTriage(db, audit),
    searches: savedSearches(db, audit),
    audit,
    async close() {
      if (db.open) db.close();
    },
  };
}
