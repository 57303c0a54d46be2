import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { compileRegex } from '../safe-regex.ts';
import { readExitAddresses, TOR_RULE_FILE, torRuleYaml } from './tor-rule.ts';

/** The address test of the generated rule. */
function matcher(addresses: string[]): (ip: string) => boolean {
  const rule = parse(torRuleYaml(addresses)) as { detection: { selection: Record<string, string> } };
  return compileRegex(rule.detection.selection['source.ip|re|i']!, 'i');
}

function listFile(text: string): { file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tor-list-'));
  const file = join(dir, 'exit-addresses.txt');
  writeFileSync(file, text);
  return { file, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('Tor exit list', () => {
  it('the bundled rule is the one generated from the bundled list', () => {
    assert.equal(readFileSync(TOR_RULE_FILE, 'utf8'), torRuleYaml(readExitAddresses()));
  });

  it('the bundled list holds IPv4 and IPv6 exits', () => {
    const addresses = readExitAddresses();
    assert.ok(addresses.length > 2000, `${addresses.length} addresses`);
    assert.ok(addresses.includes('185.220.101.34'));
    assert.ok(addresses.includes('2a0b:f4c2::18'), 'IPv6 exits are kept, compressed');
  });

  it('matches exactly the listed addresses, whole addresses only', () => {
    const listed = ['192.0.2.1', '192.0.2.10', '192.0.2.15', '192.0.2.2', '198.51.100.7', '2001:67c:2608::1'];
    const isExit = matcher(listed);
    for (const ip of listed) assert.ok(isExit(ip), ip);
    for (const ip of ['192.0.2.', '192.0.2.11', '192.0.2.100', '192.0.2.3', '92.0.2.1', '2001:67c:2608::10', '198.51.100.70'])
      assert.ok(!isExit(ip), ip);
    const bundled = readExitAddresses();
    const isBundledExit = matcher(bundled);
    assert.deepEqual(
      bundled.filter((ip) => !isBundledExit(ip)),
      [],
    );
  });

  it('writes IPv6 the way audit records do (compressed, lower case) and drops duplicates', () => {
    const { file, done } = listFile('2001:067C:2608:0000:0000:0000:0000:0001\n192.0.2.1\n\n192.0.2.1\n');
    try {
      assert.deepEqual(readExitAddresses(file), ['192.0.2.1', '2001:67c:2608::1']);
    } finally {
      done();
    }
  });

  it('names the line that is not an address', () => {
    const { file, done } = listFile('192.0.2.1\nExitAddress 192.0.2.2\n');
    try {
      assert.throws(() => readExitAddresses(file), /exit-addresses\.txt:2: "ExitAddress 192\.0\.2\.2" is not an IP address/);
    } finally {
      done();
    }
  });
});
