/**
 * Deliberate differences from the reference parser's expected output, applied to the expected documents by the
 * fixture acceptance test. Each one is explained in DEVIATIONS.md.
 */
export interface FixtureDeviation {
  fixture: string;
  /** Dotted path in the expected document. */
  path: string;
  /** The value we produce instead (undefined: we do not produce the field). */
  value: unknown;
}

export const FIXTURE_DEVIATIONS: readonly FixtureDeviation[] = [];
