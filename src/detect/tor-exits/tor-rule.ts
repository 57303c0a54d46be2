import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledRulesDir } from '../load-rules.ts';

/** The bundled offline list of Tor exit addresses, one per line (source and licence in README.md beside it). */
export const EXIT_LIST_FILE = join(dirname(fileURLToPath(import.meta.url)), 'exit-addresses.txt');
/** The rule generated from that list (`npx tsx scripts/generate-tor-rule.ts`). */
export const TOR_RULE_FILE = join(bundledRulesDir(), 'o365-intake', 'o365_tor_exit_node_activity.yml');

/**
 * Reads the exit list and returns each address the way audit records write it: IPv4 unchanged, IPv6 compressed and
 * lower case (the published list writes IPv6 in full, `2001:0db8:0000:…`). A line that is not an address is an error
 * naming the line.
 */
export function readExitAddresses(file = EXIT_LIST_FILE): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out = new Set<string>();
  lines.forEach((line, i) => {
    const text = line.trim();
    if (text === '') return;
    const family = isIP(text);
    if (family === 0) throw new Error(`${file}:${i + 1}: "${text}" is not an IP address`);
    out.add(family === 6 ? new URL(`http://[${text}]/`).hostname.slice(1, -1) : text);
  });
  return [...out].sort();
}

/**
 * The Sigma rule matching activity from these addresses. One anchored regular expression rather than a list of
 * values: RE2 tests it in one linear pass (about 1 µs), where a 2,000-value list costs 2,000 comparisons per event.
 */
export function torRuleYaml(addresses: string[]): string {
  const pattern = `^${alternation(prefixTree(addresses))}$`;
  return `# o365-intake bundled rule. License: Detection Rule License (DRL) 1.1, see ../LICENSE.Detection.Rules.md
# GENERATED from src/detect/tor-exits/exit-addresses.txt by scripts/generate-tor-rule.ts: do not edit by hand.
title: Activity From A Tor Exit Node
id: 6fbedd15-1e15-4761-bc5b-5d8e17d954dc
status: test
description: >-
  Authenticated Microsoft 365 activity (a successful sign-in, a mailbox, file or admin operation) came from the
  address of a Tor exit relay. Employees rarely use Tor for work: an attacker is probably hiding behind it. The
  ${addresses.length} addresses come from the bundled offline exit list (see src/detect/tor-exits/README.md for its
  date, source and licence); exit relays change, refresh the list to keep the rule useful.
author: o365-intake
license: DRL-1.1
date: 2026-12-01
tags:
  - attack.command-and-control
  - attack.t1090.003
logsource:
  product: m365
  service: audit
detection:
  selection:
    source.ip|re|i: '${pattern}'
  filter_main_failed_sign_in:
    event.action: UserLoginFailed
  condition: selection and not filter_main_failed_sign_in
falsepositives:
  - Privacy-minded employees or security researchers using Tor Browser
level: high
`;
}

/** Character trie of the addresses; the key '' marks the end of an address. */
type Trie = Map<string, Trie>;

function prefixTree(words: string[]): Trie {
  const root: Trie = new Map();
  for (const word of words) {
    let node = root;
    for (const ch of [...word, '']) {
      let next = node.get(ch);
      if (!next) node.set(ch, (next = new Map()));
      node = next;
    }
  }
  return root;
}

/** Regular expression matching exactly the words of the trie, common prefixes factored out (`1(?:0|1)?`). */
function alternation(node: Trie): string {
  const branches = [...node].filter(([ch]) => ch !== '').map(([ch, child]) => (ch === '.' ? '\\.' : ch) + alternation(child));
  if (branches.length === 0) return '';
  const body = branches.length === 1 ? branches[0]! : `(?:${branches.join('|')})`;
  if (!node.has('')) return body;
  return branches.length === 1 && branches[0]!.length === 1 ? `${body}?` : `(?:${body})?`;
}
