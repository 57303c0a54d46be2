// Regenerates the bundled Tor exit rule from src/detect/tor-exits/exit-addresses.txt.
// Usage: npx tsx scripts/generate-tor-rule.ts
import { writeFileSync } from 'node:fs';
import { readExitAddresses, TOR_RULE_FILE, torRuleYaml } from '../src/detect/tor-exits/tor-rule.ts';

const addresses = readExitAddresses();
writeFileSync(TOR_RULE_FILE, torRuleYaml(addresses));
console.log(`${TOR_RULE_FILE}: ${addresses.length} addresses`);
