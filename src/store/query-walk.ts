import type { FieldValue, QueryNode, TermValue } from '../query/index.ts';
import type { EventColumn } from './event-columns.ts';

/** What one store's query compiler writes in its SQL dialect: a full-text test, a column test, a document test. */
export interface QueryDialect {
  text(term: TermValue): string;
  column(column: EventColumn, field: string, value: FieldValue, position: number): string;
  document(field: string, value: FieldValue, position: number): string;
}

/**
 * The AND / OR / NOT skeleton both stores share (SQLite: query-sql.ts, PostgreSQL: postgres/pg-where.ts): bare words
 * are full text, a field kept as a column (`columns`) is a column test, any other field is read from the documents.
 * Children are written in query order, so parameters numbered as they are added stay in step with the SQL text.
 */
export function walkQuery(node: QueryNode, columns: Readonly<Record<string, EventColumn>>, dialect: QueryDialect): string {
  const walk = (n: QueryNode): string => {
    switch (n.kind) {
      case 'and':
        return `(${n.children.map(walk).join(' AND ')})`;
      case 'or':
        return `(${n.children.map(walk).join(' OR ')})`;
      case 'not':
        return `(NOT ${walk(n.child)})`;
      case 'text':
        return dialect.text(n.value);
      case 'field': {
        const column = columns[n.field];
        return column ? dialect.column(column, n.field, n.value, n.position) : dialect.document(n.field, n.value, n.position);
      }
    }
  };
  return walk(node);
}
