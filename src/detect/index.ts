export { bundledRulesDir, loadRules, type LoadedRuleSet, type LoadRulesOptions } from './load-rules.ts';
export { createDetector, type Detector, type DetectorOptions, type DetectorStats } from './detector.ts';
export { RuleError } from './errors.ts';
export { lookupField } from './field-lookup.ts';
export { regexEngine } from './safe-regex.ts';
export type { CorrelationRule, DetectableEvent, DetectionRule, FilterRule, LoadedRule } from './types.ts';
export { detectorFromConfig, type ConfiguredDetector } from './from-config.ts';
export { detectionSchema, type DetectionConfig } from './config.ts';
