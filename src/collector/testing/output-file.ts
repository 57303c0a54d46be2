import { readFileSync } from 'node:fs';

/** Counts of `${tenantId}:${Id}` in an NDJSON file written through SinkDelivery (tests only). */
export function countOutputIds(path: string): Map<string, number> {
  const counts = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return counts;
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    const doc = JSON.parse(line) as { tenantId: string; record: { Id: string } };
    const id = `${doc.tenantId}:${doc.record.Id}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Compares output counts with the published ids: every id exactly once. Returns a readable list of problems. */
export function exactlyOnceProblems(counts: Map<string, number>, expected: Iterable<string>): string[] {
  const problems: string[] = [];
  const wanted = new Set(expected);
  let missing = 0;
  for (const id of wanted) if (!counts.has(id)) missing += 1;
  if (missing > 0) problems.push(`${missing} of ${wanted.size} events missing`);
  const duplicated = [...counts].filter(([, n]) => n > 1);
  if (duplicated.length > 0)
    problems.push(`${duplicated.length} events written more than once (e.g. ${duplicated[0]?.[0]} ×${duplicated[0]?.[1]})`);
  const unexpected = [...counts.keys()].filter((id) => !wanted.has(id));
  if (unexpected.length > 0) problems.push(`${unexpected.length} unexpected events (e.g. ${unexpected[0]})`);
  return problems;
}
