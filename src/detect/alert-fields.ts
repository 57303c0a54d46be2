/** Most event ids an alert lists: beyond it, a correlation over thousands of events keeps the first 1000 in sorted order. */
export const MAX_ALERT_EVENT_IDS = 1000;

/** `attack.t1098.003` → `T1098.003`; other tags (tactics, cve, detection.*) are skipped. */
export function attackTechniques(tags: string[]): string[] {
  const out = tags.flatMap((tag) => {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag);
    return m ? [m[1]!.toUpperCase()] : [];
  });
  return [...new Set(out)];
}
