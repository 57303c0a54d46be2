import type { Logger } from '../observability/logger.ts';
import type { DetectionConfig } from './config.ts';
import { createDetector, type Detector } from './detector.ts';
import { RuleError } from './errors.ts';
import { bundledRulesDir, loadRules } from './load-rules.ts';
import type { LoadedRule } from './types.ts';

export interface ConfiguredDetector {
  detector: Detector;
  /** Rule files that did not load and rules that cannot run; log them, they do not stop the others. */
  errors: RuleError[];
}

/** Loads the bundled and configured rules (minus `disabled_rules`) and builds the detector. */
export function detectorFromConfig(config: DetectionConfig, logger?: Logger): ConfiguredDetector {
  const paths = [...(config.bundled_rules ? [bundledRulesDir()] : []), ...config.rules];
  const loaded = loadRules(paths);
  const disabled = new Set(config.disabled_rules);
  const known = new Set(loaded.rules.flatMap((r) => [r.id, ...(r.name ? [r.name] : [])]));
  const errors = [...loaded.errors];
  for (const id of disabled) {
    if (!known.has(id)) errors.push(new RuleError('detection.disabled_rules', `no loaded rule has id or name "${id}"`));
  }
  const isDisabled = (r: LoadedRule | undefined): boolean =>
    r !== undefined && (disabled.has(r.id) || (r.name !== undefined && disabled.has(r.name)));
  // The search of a Sigma v1 aggregation goes with its rule: left alone it would alert on every event it matches.
  const byId = new Map(loaded.rules.map((r) => [r.id, r]));
  const rules = loaded.rules.filter(
    (r) => !isDisabled(r) && !(r.kind === 'detection' && r.searchOf && isDisabled(byId.get(r.searchOf))),
  );
  const detector = createDetector({
    rules,
    filters: loaded.filters,
    maxGroups: config.max_groups,
    maxEntriesPerGroup: config.max_entries_per_group,
    allowedLatenessMs: config.allowed_lateness,
    alertGroupingMs: config.alert_grouping,
    ...(logger ? { logger } : {}),
  });
  return { detector, errors: [...errors, ...detector.problems] };
}
