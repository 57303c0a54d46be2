import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadRules } from './load-rules.ts';

/** The SigmaHQ `product: m365` rules as vendored by the project's research (DRL 1.1, verbatim, authors kept). */
const VENDORED = fileURLToPath(new URL('../../../shared/fixtures/sigma-m365/', import.meta.url));
/** 224 SigmaHQ rule files of every kind, verbatim at the revisions listed in its SOURCE.md (DRL 1.1). */
const SAMPLE = fileURLToPath(new URL('./testing/sigmahq-sample/', import.meta.url));
/** A checkout of the whole SigmaHQ/sigma repository, when one is at hand (no network here or in CI). */
const SIGMAHQ = process.env.SIGMAHQ_RULES;

const PLACEHOLDER_ERROR = /placeholders \(\|expand\)/;

/** Every rule parses, product forced to m365, except `|expand` placeholders (their values are site-specific). */
function assertCorpusParses(dir: string, minimum: number): void {
  const { rules, errors } = loadRules([dir], { forceProduct: 'm365' });
  const unexpected = errors.filter((e) => !PLACEHOLDER_ERROR.test(e.message));
  assert.deepEqual(
    unexpected.map((e) => e.message),
    [],
  );
  assert.ok(rules.length >= minimum, `${rules.length} rules parsed`);
  for (const rule of rules) assert.ok(rule.kind !== 'detection' || typeof rule.match === 'function');
}

function ruleFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f));
}

describe('SigmaHQ corpus', () => {
  it('the vendored SigmaHQ m365 rules all parse', { skip: existsSync(VENDORED) ? false : `${VENDORED} missing` }, () => {
    assertCorpusParses(VENDORED, 21);
  });

  it('every file of the vendored SigmaHQ sample parses (product forced to m365), except |expand placeholders', () => {
    const files = ruleFiles(SAMPLE);
    assert.ok(files.length >= 220, `${files.length} files in the sample`);
    const { rules, errors } = loadRules([SAMPLE], { forceProduct: 'm365' });
    assert.deepEqual(
      errors.filter((e) => !PLACEHOLDER_ERROR.test(e.message)).map((e) => e.message),
      [],
    );
    // The only files refused are exactly those that use |expand.
    const withPlaceholders = files.filter((f) => readFileSync(f, 'utf8').includes('|expand')).map((f) => relative(SAMPLE, f));
    assert.ok(withPlaceholders.length >= 3);
    assert.deepEqual(errors.map((e) => relative(SAMPLE, e.file)).sort(), withPlaceholders.sort());
    const parsedFiles = new Set(rules.map((r) => r.file));
    assert.equal(parsedFiles.size, files.length - withPlaceholders.length);
    assert.ok(parsedFiles.size >= 200, `${parsedFiles.size} files parsed`);
    // Every kind of document is in there: single-event rules, correlation rules, and v1 aggregations (search + correlation).
    assert.ok(
      rules.some(
        (r) => r.kind === 'correlation' && !r.id.endsWith(':search') && r.rules.every((ref) => !ref.endsWith(':search')),
      ),
    );
    assert.ok(rules.some((r) => r.id.endsWith(':search')));
  });

  it('every rule of a SigmaHQ checkout parses (SIGMAHQ_RULES=path/to/sigma)', {
    skip: SIGMAHQ ? false : 'SIGMAHQ_RULES not set',
  }, () => {
    assertCorpusParses(SIGMAHQ!, 3000);
  });
});
