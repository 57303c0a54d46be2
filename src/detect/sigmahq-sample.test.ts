import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createDetector } from './detector.ts';
import { loadRules } from './load-rules.ts';
import { makeEvent } from './test-support/events.ts';
import type { DetectableEvent, LoadedRule } from './types.ts';

/**
 * The modifiers and constructs the vendored SigmaHQ sample uses, each checked on hand-written events with the sample's
 * own rules (a true positive and a near miss), product forced to m365 as the corpus test does.
 */
const SAMPLE = fileURLToPath(new URL('./testing/sigmahq-sample/', import.meta.url));
const { rules } = loadRules([SAMPLE], { forceProduct: 'm365' });
const byId = new Map(rules.map((r) => [r.id, r]));

function rule(id: string): LoadedRule {
  const found = byId.get(id);
  assert.ok(found, `rule ${id} is in the sample`);
  return found;
}

function fires(id: string, raw: Record<string, unknown>): boolean {
  const r = rule(id);
  assert.equal(r.kind, 'detection');
  return r.kind === 'detection' && r.match(makeEvent({}, raw));
}

const T0 = Date.UTC(2024, 0, 1, 12);
let seq = 0;
function at(minute: number, raw: Record<string, unknown>): DetectableEvent {
  seq++;
  return makeEvent({}, raw, { time: T0 + minute * 60_000, id: `t1:${seq}` });
}

describe('SigmaHQ sample: modifiers on hand-written events', () => {
  it('|contains|all needs every value', () => {
    const id = 'b1377339-fda6-477a-b455-ac0923f9ec2c'; // AnyDesk Inline Piped Password
    assert.equal(fires(id, { CommandLine: 'cmd.exe /c echo J9kzQ2Y0qO | C:\\ProgramData\\anydesk.exe --set-password' }), true);
    assert.equal(fires(id, { CommandLine: 'cmd.exe /c echo J9kzQ2Y0qO | C:\\ProgramData\\anydesk.exe --get-id' }), false);
  });

  it('|endswith on a list, a list of maps ORed, all of selection_*, case-insensitive', () => {
    const id = '9fbf5927-5261-4284-a71d-f681029ea574'; // 7-Zip password compression
    assert.equal(fires(id, { Image: 'C:\\Program Files\\7-Zip\\7Z.EXE', CommandLine: '7z.exe a -pSecret out.7z docs' }), true);
    assert.equal(fires(id, { OriginalFileName: '7za.exe', CommandLine: '7za.exe u -pS x.7z y' }), true);
    assert.equal(fires(id, { Image: 'C:\\Program Files\\7-Zip\\7z.exe', CommandLine: '7z.exe a out.7z docs' }), false);
    assert.equal(fires(id, { Image: 'C:\\Tools\\7z.exe.bak', CommandLine: '7z.exe a -pSecret out.7z docs' }), false);
  });

  it('|re searches (unanchored unless the pattern anchors), with inline (?i)', () => {
    const ads = '9248c7e1-2bf3-4661-a22c-600a8040b446'; // ADS DLL execution via rundll32
    assert.equal(
      fires(ads, { Image: 'C:\\Windows\\rundll32.exe', CommandLine: 'rundll32.exe c:\\temp\\doc.txt:evil.dll,Start' }),
      true,
    );
    assert.equal(
      fires(ads, { Image: 'C:\\Windows\\rundll32.exe', CommandLine: 'rundll32.exe shell32.dll,Control_RunDLL' }),
      false,
    );
    const anchored = '72124974-a68b-4366-b990-d30e0b2a190d'; // Metasploit SMB authentication: ^[A-Za-z0-9]{16}$
    const smb = { EventID: 4625, LogonType: 3, AuthenticationPackageName: 'NTLM' };
    assert.equal(fires(anchored, { ...smb, WorkstationName: 'Ab3dEf7hIj1lMn0p' }), true);
    assert.equal(fires(anchored, { ...smb, WorkstationName: 'Ab3dEf7hIj1lMn0' }), false);
    assert.equal(fires(anchored, { ...smb, WorkstationName: 'Ab3dEf7hIj1lMn0pQ' }), false);
    const inline = 'e54f5149-6ba3-49cf-b153-070d24679126'; // Invoke-Obfuscation VAR++: (?i)...
    assert.equal(fires(inline, { ScriptBlockText: 'cmd /c "&&SET a={0}{1}\\" -f x&&CMD /c y' }), true);
    assert.equal(fires(inline, { ScriptBlockText: 'cmd /c "&&SET a=plain\\" -f x&&CMD /c y' }), false);
  });

  it('|cidr on IPv4 and IPv6 ranges (a filter of private ranges)', () => {
    const id = 'cdc8da7d-c303-42f8-b08c-b4ab47230263'; // Rundll32 internet connection
    const conn = (ip: string) =>
      fires(id, { Image: 'C:\\Windows\\System32\\rundll32.exe', Initiated: 'true', DestinationIp: ip });
    assert.equal(conn('8.8.8.8'), true);
    assert.equal(conn('2001:4860:4860::8888'), true);
    assert.equal(conn('10.1.2.3'), false);
    assert.equal(conn('172.31.255.254'), false);
    assert.equal(conn('fe80::1'), false);
    assert.equal(conn('fd12:3456::1'), false, 'fc00::/7');
    assert.equal(conn('20.42.0.1'), false, 'Microsoft range filter');
  });

  it('|base64offset|contains finds the value at each of the three byte offsets', () => {
    const id = '88f680b8-070e-402c-ae11-d2914f2257f1'; // PowerShell Base64 encoded IEX
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const b64 = Buffer.from(`${prefix}IEX (New-Object Net.WebClient).DownloadString('x')`).toString('base64');
      assert.equal(fires(id, { CommandLine: `powershell -e ${b64}` }), true, `offset ${prefix.length}`);
    }
    const other = Buffer.from('Write-Host (New-Object Net.WebClient)').toString('base64');
    assert.equal(fires(id, { CommandLine: `powershell -e ${other}` }), false);
  });

  it('|contains|windash accepts every dash character in place of the flag dash', () => {
    const id = 'e62a9f0c-ca1e-46b2-85d5-a6da77f86d1a'; // certutil -encode
    for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015'])
      assert.equal(
        fires(id, { Image: 'C:\\Windows\\System32\\certutil.exe', CommandLine: `certutil ${dash}encode a b` }),
        true,
        dash,
      );
    assert.equal(fires(id, { Image: 'C:\\Windows\\System32\\certutil.exe', CommandLine: 'certutil -decode a b' }), false);
    assert.equal(fires(id, { Image: 'C:\\Windows\\System32\\certutil.exe', CommandLine: 'certutil +encode a b' }), false);
  });

  it('keywords with wildcards search every string of the event; |all keywords need each', () => {
    const shell = '2aa1440c-9ae9-4d92-84a7-a9e5f5e31695'; // Suspicious Activity in Shell Commands
    assert.equal(fires(shell, { message: 'user ran: wget http://x/a.sh - http://x | perl' }), true);
    assert.equal(fires(shell, { message: 'python -m SimpleHTTPServer 8080' }), true);
    assert.equal(fires(shell, { message: 'python -m SimpleHTTP' }), false);
    const juniper = 'a7c0ae48-8df8-42bf-91bd-2ea57e2f9d43'; // '|all': [':179', 'missing MD5 digest']
    assert.equal(fires(juniper, { message: 'bgp peer 192.0.2.1:179 missing MD5 digest' }), true);
    assert.equal(fires(juniper, { message: 'bgp peer 192.0.2.1 missing MD5 digest' }), false);
  });

  it('null and empty-string values, and a boolean value', () => {
    const id = '2a297820-04ce-41f2-b60d-5afe139aaab3'; // Signed DLL with missing PE metadata
    const load = { Signed: true, SignatureStatus: 'Valid', ImageLoaded: 'C:\\Users\\bob\\AppData\\x.dll', Signature: 'Evil Ltd' };
    assert.equal(fires(id, load), true, 'metadata fields absent: the null selection');
    const empty = { Description: '', Company: '-', Product: '', OriginalFileName: '-', FileVersion: '' };
    assert.equal(fires(id, { ...load, ...empty }), true, 'metadata empty or "-"');
    assert.equal(fires(id, { ...load, ...empty, Company: 'Contoso' }), false);
    assert.equal(fires(id, { ...load, Signed: false }), false);
    assert.equal(fires(id, { ...load, Signature: 'Microsoft Windows' }), false);
  });

  it('|exists, keywords and |cidr together (the sshd base rule of a correlation)', () => {
    const id = 'f698fb2a-f888-4b4f-b309-fcc56d7096b5';
    const failure = {
      message: 'Failed password for root',
      user_name: 'root',
      deviceProcessName: 'sshd',
      client_ip: '203.0.113.9',
    };
    assert.equal(fires(id, failure), true);
    assert.equal(fires(id, { ...failure, client_ip: '192.168.1.10' }), false);
    assert.equal(fires(id, { ...failure, client_ip: '::1' }), false);
    const { client_ip: _ip, ...noIp } = failure;
    assert.equal(fires(id, noIp), false, 'client_ip|exists: true');
  });

  it('escaped wildcards are literal; ? matches exactly one character', () => {
    const psexec = '32d56ea1-417f-44ff-822b-882873f5f43b'; // ShareName: '\\\\\*\\IPC$' = the string \\*\IPC$
    const share = { EventID: 5145, RelativeTargetName: 'RemCom_stdin' };
    assert.equal(fires(psexec, { ...share, ShareName: '\\\\*\\IPC$' }), true);
    assert.equal(fires(psexec, { ...share, ShareName: '\\\\HOST\\IPC$' }), false);
    const single = 'd9f65919-9d42-4f5a-86a4-7d894258e5a7'; // Image|endswith: '/?'
    assert.equal(fires(single, { Image: '/tmp/a' }), true);
    assert.equal(fires(single, { Image: '/tmp/ab' }), false);
    const starred = 'e76fb8fc-e91a-4531-8a9f-ff87fbabe35a'; // "*Autoit3.exe*"
    assert.equal(fires(starred, { ParentCommandLine: 'c:\\x\\Autoit3.exe a.au3', CommandLine: 'C:\\GoogleUpdate.exe' }), true);
    assert.equal(fires(starred, { ParentCommandLine: 'c:\\x\\Autoit.exe a.au3', CommandLine: 'C:\\GoogleUpdate.exe' }), false);
  });

  it('numbers match numbers and their string form', () => {
    const id = 'def8b624-e08f-4ae1-8612-1ba21190da6b'; // EventID 4624, LogonType 9
    assert.equal(fires(id, { EventID: 4624, LogonType: 9 }), true);
    assert.equal(fires(id, { EventID: '4624', LogonType: '9' }), true);
    assert.equal(fires(id, { EventID: 4624, LogonType: 10 }), false);
  });

  it('invisible characters in values match exactly', () => {
    const id = 'a2fa0333-f235-46c0-819c-82c22cf662ea'; // zero-width characters in a file name
    assert.equal(fires(id, { TargetFilename: 'C:\\Users\\a\\invoice\u200b.pdf.exe' }), true);
    assert.equal(fires(id, { TargetFilename: 'C:\\Users\\a\\invoice\ufeff.pdf' }), true);
    assert.equal(fires(id, { TargetFilename: 'C:\\Users\\a\\invoice.pdf.exe' }), false);
  });
});

describe('SigmaHQ sample: correlations, v1 aggregations and collections', () => {
  it('a v2 event_count correlation fires at its threshold, per group', () => {
    const detector = createDetector({
      rules: [rule('34fb5c3a-2ff6-487d-bfa3-717763f30b2c'), rule('28ed487c-6a7d-42ca-a121-608ce523856c')],
    });
    const failure = (minute: number, user = 'alice') =>
      at(minute, { EventID: 4625, TargetUserName: user, TargetDomainName: 'CORP', IpAddress: '203.0.113.5' });
    const quiet = [0, 1, 2, 3].map((m) => failure(m)).concat([failure(3, 'bob')]);
    assert.deepEqual(
      quiet.flatMap((e) => detector.process(e)),
      [],
    );
    const alerts = detector.process(failure(4));
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.ruleId, '34fb5c3a-2ff6-487d-bfa3-717763f30b2c');
    assert.equal(alerts[0]!.eventIds.length, 5);
  });

  it('a v1 "count(field) by" aggregation counts distinct values within its timeframe', () => {
    const id = '4601eaec-6b45-4052-ad32-2d96d26ce0d8'; // selection | count(dst_ip) by src_ip > 10, timeframe 24h
    const scan = (dst: string, minute: number) => at(minute, { action: 'denied', src_ip: '198.51.100.7', dst_ip: dst });
    const sameTarget = createDetector({ rules: [rule(id), rule(`${id}:search`)] });
    assert.deepEqual(
      Array.from({ length: 15 }, (_, i) => scan('192.0.2.1', i)).flatMap((e) => sameTarget.process(e)),
      [],
    );
    const sweep = createDetector({ rules: [rule(id), rule(`${id}:search`)] });
    const alerts = Array.from({ length: 11 }, (_, i) => scan(`192.0.2.${i + 1}`, i)).flatMap((e) => sweep.process(e));
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.ruleId, id);
    assert.equal(alerts[0]!.title, 'Network Scans Count By Destination IP');
  });

  it('an "action: global" collection gives each rule the shared attributes', () => {
    for (const id of ['5ee37487-4eb8-4ac2-9be1-d7d14cdc559f', 'b9748c98-9ea7-4fdb-80b6-29bed6ba71d2']) {
      const r = rule(id);
      assert.equal(r.title, 'CVE-2021-3156 Exploitation Attempt');
      assert.equal(r.level, 'critical');
      assert.equal(r.author, 'Bhabesh Raj');
    }
    assert.equal(fires('b9748c98-9ea7-4fdb-80b6-29bed6ba71d2:search', { type: 'SYSCALL', exe: '/usr/bin/sudoedit' }), true);
    assert.equal(fires('b9748c98-9ea7-4fdb-80b6-29bed6ba71d2:search', { type: 'SYSCALL', exe: '/usr/bin/sudo' }), false);
  });
});
