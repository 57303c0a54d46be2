import type Database from 'better-sqlite3';
import { StoreQueryError } from '../errors.ts';
import type { Actor, SqliteAuditLog } from './audit-log.ts';

/** A named search: `query` is the events page's query string (q, range, filters), e.g. `q=user.name%3Aalice&range=7d`. */
export interface SavedSearch {
  id: number;
  name: string;
  query: string;
  createdBy: string;
  createdAt: number;
}

export interface SavedSearches {
  list(): Promise<SavedSearch[]>;
  /** Saves (or replaces, by name) a search. */
  save(name: string, query: string, actor: Actor, now: number): Promise<SavedSearch>;
  /** False when there was no such search. */
  delete(id: number, actor: Actor, now: number): Promise<boolean>;
}

const MAX_NAME = 120;
const MAX_QUERY = 8000;

/** The trimmed name, once name and query are checked. */
export function validSearch(name: string, query: string): string {
  const cleanName = name.trim();
  if (!cleanName) throw new StoreQueryError('name', 'give the search a name');
  if (cleanName.length > MAX_NAME) throw new StoreQueryError('name', `at most ${MAX_NAME} characters`);
  if (query.length > MAX_QUERY) throw new StoreQueryError('query', `at most ${MAX_QUERY} characters`);
  return cleanName;
}

export function savedSearches(db: Database.Database, audit: SqliteAuditLog): SavedSearches {
  const columns = 'id, name, query, created_by AS createdBy, created_at AS createdAt';
  const selectAll = db.prepare(`SELECT ${columns} FROM analyst_saved_searches ORDER BY name`);
  const selectOne = db.prepare(`SELECT ${columns} FROM analyst_saved_searches WHERE id = ?`);
  const selectByName = db.prepare(`SELECT ${columns} FROM analyst_saved_searches WHERE name = ?`);
  const upsert = db.prepare(`INSERT INTO analyst_saved_searches (name, query, created_by, created_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET query = excluded.query, created_by = excluded.created_by, created_at = excluded.created_at`);
  const remove = db.prepare('DELETE FROM analyst_saved_searches WHERE id = ?');

  const saveOne = db.transaction((name: string, query: string, actor: Actor, now: number): SavedSearch => {
    upsert.run(name, query, actor.name, now);
    const saved = selectByName.get(name) as SavedSearch;
    audit.write(
      { at: now, action: 'search.save', targetKind: 'saved-search', targetId: String(saved.id), detail: { name, query } },
      actor,
    );
    return saved;
  });
  const deleteOne = db.transaction((id: number, actor: Actor, now: number): boolean => {
    const old = selectOne.get(id) as SavedSearch | undefined;
    if (!old) return false;
    remove.run(id);
    const detail = { name: old.name, query: old.query };
    audit.write({ at: now, action: 'search.delete', targetKind: 'saved-search', targetId: String(id), detail }, actor);
    return true;
  });

  return {
    list: async () => selectAll.all() as SavedSearch[],
    save: async (name, query, actor, now) => saveOne(validSearch(name, query), query, actor, now),
    delete: async (id, actor, now) => deleteOne(id, actor, now),
  };
}
