import { RECORD_TYPE_FAMILIES, RECORD_TYPE_MAPPINGS } from './registry.ts';

export const CATALOG_START =
  '<!-- record-types:start — generated from src/normalize/record-types by `npm run docs:record-types` -->';
export const CATALOG_END = '<!-- record-types:end -->';

/** The README section listing every RecordType with a dedicated mapping, grouped by family, from the registry. */
export function renderRecordTypeCatalog(): string {
  const lines = [
    `${RECORD_TYPE_MAPPINGS.length} RecordTypes have a dedicated mapping; every other RecordType gets the common fields and keeps`,
    'the raw record in `message`. By family (RecordType and its `AuditLogRecordType` member name):',
    '',
  ];
  for (const family of RECORD_TYPE_FAMILIES) {
    const types = Object.keys(family.recordTypes)
      .map(Number)
      .sort((a, b) => a - b)
      .map((n) => `${n} ${family.recordTypes[n]}`);
    lines.push(`- ${family.title}: ${types.join(', ')}`);
  }
  return lines.join('\n');
}

export class CatalogMarkersMissingError extends Error {
  constructor() {
    super(`README.md has no "${CATALOG_START}" … "${CATALOG_END}" section to replace`);
    this.name = 'CatalogMarkersMissingError';
  }
}

/** `readme` with the text between the catalog markers replaced by the current catalog. */
export function withCatalog(readme: string): string {
  const start = readme.indexOf(CATALOG_START);
  const end = readme.indexOf(CATALOG_END);
  if (start < 0 || end < start) throw new CatalogMarkersMissingError();
  return `${readme.slice(0, start + CATALOG_START.length)}\n${renderRecordTypeCatalog()}\n${readme.slice(end)}`;
}
