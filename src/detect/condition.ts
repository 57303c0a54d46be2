import { DetectionSyntaxError } from './errors.ts';

/** Parsed Sigma condition. */
export type ConditionNode =
  | { op: 'and' | 'or'; left: ConditionNode; right: ConditionNode }
  | { op: 'not'; operand: ConditionNode }
  | { op: 'ref'; name: string }
  | { op: 'of'; quantity: number | 'all'; pattern: string };

type Token =
  | { kind: 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'all' | 'of' | 'them' }
  | { kind: 'number'; value: number }
  | { kind: 'ident'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(\(|\)|[^\s()]+)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = re.exec(text)) !== null) {
    consumed = re.lastIndex;
    const word = match[1]!;
    const lower = word.toLowerCase();
    if (word === '(') tokens.push({ kind: 'lparen' });
    else if (word === ')') tokens.push({ kind: 'rparen' });
    else if (lower === 'and' || lower === 'or' || lower === 'not' || lower === 'all' || lower === 'of' || lower === 'them')
      tokens.push({ kind: lower });
    else if (/^\d+$/.test(word)) tokens.push({ kind: 'number', value: Number(word) });
    else if (word === '|')
      throw new DetectionSyntaxError(
        `condition "${text}": aggregation expressions ("| count() ...") are only understood as the whole condition string, not in a list; use a correlation rule`,
      );
    else if (/^[\w*.-]+$/.test(word)) tokens.push({ kind: 'ident', value: word });
    else throw new DetectionSyntaxError(`condition "${text}": unexpected "${word}"`);
  }
  if (text.slice(consumed).trim() !== '')
    throw new DetectionSyntaxError(`condition "${text}": cannot parse "${text.slice(consumed).trim()}"`);
  return tokens;
}

/** Parses a condition: precedence (loosest first) or < and < not < x of < parentheses. */
export function parseCondition(text: string): ConditionNode {
  const tokens = tokenize(text);
  let pos = 0;
  const fail = (what: string): never => {
    throw new DetectionSyntaxError(`condition "${text}": ${what}`);
  };
  const peek = (): Token | undefined => tokens[pos];

  const parseOr = (): ConditionNode => {
    let left = parseAnd();
    while (peek()?.kind === 'or') {
      pos++;
      left = { op: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): ConditionNode => {
    let left = parseNot();
    while (peek()?.kind === 'and') {
      pos++;
      left = { op: 'and', left, right: parseNot() };
    }
    return left;
  };
  const parseNot = (): ConditionNode => {
    if (peek()?.kind === 'not') {
      pos++;
      return { op: 'not', operand: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): ConditionNode => {
    const token = tokens[pos++];
    if (!token) return fail('ends too early');
    if (token.kind === 'lparen') {
      const inner = parseOr();
      if (tokens[pos++]?.kind !== 'rparen') fail('missing ")"');
      return inner;
    }
    if (token.kind === 'number' || token.kind === 'all') {
      const quantity: number | 'all' = token.kind === 'number' ? token.value : 'all';
      if (tokens[pos++]?.kind !== 'of') fail(`expected "of" after "${quantity}"`);
      const target = tokens[pos++];
      const pattern =
        target?.kind === 'them'
          ? '*'
          : target?.kind === 'ident'
            ? target.value
            : fail('expected an identifier pattern or "them" after "of"');
      if (quantity === 0) fail('"0 of" is not allowed');
      return { op: 'of', quantity, pattern: pattern as string };
    }
    if (token.kind === 'ident') {
      if (token.value.includes('*')) fail(`"${token.value}": wildcards are only allowed after "1 of" / "all of"`);
      return { op: 'ref', name: token.value };
    }
    return fail(`unexpected "${token.kind}"`);
  };

  const node = parseOr();
  if (pos < tokens.length) fail(`unexpected "${describe(tokens[pos]!)}"`);
  return node;
}

function describe(token: Token): string {
  return token.kind === 'ident' ? token.value : token.kind === 'number' ? String(token.value) : token.kind;
}
