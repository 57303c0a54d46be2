/** English country names from Node's ICU data (no extra table to maintain). */
const displayNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
const names = new Map<string, string | undefined>();

/** The English name of an ISO 3166-1 alpha-2 code (`FR` → `France`), or undefined when ICU does not know it. */
export function countryName(isoCode: string): string | undefined {
  if (names.has(isoCode)) return names.get(isoCode);
  let name: string | undefined;
  try {
    name = displayNames.of(isoCode);
  } catch {
    name = undefined;
  }
  names.set(isoCode, name);
  return name;
}
