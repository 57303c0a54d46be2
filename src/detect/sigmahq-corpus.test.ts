import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadRules } from './load-rules.ts';

/** The SigmaHQ `product: m365` rules as vendored by the project's research (DRL 1.1, verbatim, authors kept). */
const VENDORED = fileURLToPath(new URL('../../../shared/fixtures/sigma-m365/', import.meta.url));
/** A checkout of the whole SigmaHQ/sigma repository, when one is at hand (no network here or in CI). */
const SIGMAHQ = process.env.SIGMAHQ_RULES;

/** Every rule parses, product forced to m365, except `|expand` placeholders (their values are site-specific). */
function assertCorpusParses(dir: string, minimum: number): void {
  const { rules, errors } = loadRules([dir], { forceProduct: 'm365' });
  const unexpected = errors.filter((e) => !/placeholders \(\|expand\)/.test(e.message));
  assert.deepEqual(
    unexpected.map((e) => e.message),
    [],
  );
  assert.ok(rules.length >= minimum, `${rules.length} rules parsed`);
  for (const rule of rules) assert.ok(rule.kind !== 'detection' || typeof rule.match === 'function');
}

describe('SigmaHQ corpus', () => {
  it('the vendored SigmaHQ m365 rules all parse', { skip: existsSync(VENDORED) ? false : `${VENDORED} missing` }, () => {
    assertCorpusParses(VENDORED, 21);
  });

  it('every rule of a SigmaHQ checkout parses (SIGMAHQ_RULES=path/to/sigma)', {
    skip: SIGMAHQ ? false : 'SIGMAHQ_RULES not set',
  }, () => {
    assertCorpusParses(SIGMAHQ!, 3000);
  });
});
