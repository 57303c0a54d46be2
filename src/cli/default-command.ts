/** Options of the root command that take a value (their value is not a command name). */
const ROOT_OPTIONS_WITH_VALUE = new Set(['-c', '--config', '--log-format']);

/**
 * `o365-intake` and `o365-intake -c file` mean `o365-intake run …`; anything else is left for commander, so an unknown
 * command is reported as one ("unknown command 'nomralize' (Did you mean normalize?)") rather than as an argument of run.
 */
export function withDefaultCommand(argv: string[], command: string): string[] {
  const [node = '', script = '', ...args] = argv;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (ROOT_OPTIONS_WITH_VALUE.has(arg)) i += 1;
    else if (!arg.startsWith('-')) return argv;
    else if (arg === '-h' || arg === '--help' || arg === '-V' || arg === '--version') return argv;
  }
  return [node, script, command, ...args];
}
