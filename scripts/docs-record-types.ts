// Rewrites the generated RecordType catalog section of README.md from the normalizer's registry.
// Usage: npm run docs:record-types
import { readFileSync, writeFileSync } from 'node:fs';
import { withCatalog } from '../src/normalize/record-types/catalog.ts';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withCatalog(before);
if (after !== before) writeFileSync(path, after);
console.log(after === before ? 'README.md record-type catalog already up to date' : 'README.md record-type catalog updated');
