import { IntakeError } from '../core/errors.ts';

/** A rule file that cannot be used: names the file and, when known, the rule and what is wrong. */
export class RuleError extends IntakeError {
  readonly file: string;
  readonly ruleId: string | undefined;
  constructor(file: string, message: string, ruleId?: string) {
    super('RULE_INVALID', `${file}${ruleId ? ` (rule ${ruleId})` : ''}: ${message}`);
    this.file = file;
    this.ruleId = ruleId;
  }
}

/** A problem inside one rule's detection, raised while compiling; the loader wraps it into a RuleError. */
export class DetectionSyntaxError extends IntakeError {
  constructor(message: string) {
    super('DETECTION_SYNTAX', message);
  }
}
