import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Entry } from './correlation-window.ts';
import { decodeGroup, encodeGroup, type Group } from './group-state.ts';

const TENANT = '11111111-2222-4333-8444-555555555555';
const id = (n: number): string => `${TENANT}:${String(n).padStart(8, '0')}-aaaa-4bbb-8ccc-dddddddddddd`;
const T0 = Date.UTC(2026, 10, 30, 9);

function busyGroup(matches: number): Group {
  const entries: Entry[] = Array.from({ length: matches }, (_, i) => ({
    time: T0 + i * 7_000,
    ruleIndex: 0,
    key: id(i),
    eventIds: [id(i)],
    values: [],
  }));
  return { ruleId: 'brute-force', tenantId: TENANT, tenantName: 'contoso', groupBy: { 'user.name': 'alice' }, entries };
}

describe('correlation group state rows', () => {
  it('read back as the group they were written from, whatever each match holds', () => {
    const group = busyGroup(3);
    group.droppedUntil = T0 - 60_000;
    group.entries.push(
      // Fired, numbered; values; a firing of an inner correlation with the events of several matches.
      {
        time: T0 + 30_000,
        ruleIndex: 1,
        key: `inner>${id(9)}`,
        eventIds: [id(7), id(8), id(9)],
        values: [],
        fired: true,
        firedAt: 41,
      },
      // Fired without a number (state of before numbering), values of a value_count, tie on time.
      { time: T0 + 30_000, ruleIndex: 2, key: id(10), eventIds: [id(10)], values: ['192.0.2.7', 'FR'], fired: true },
      // Ids that do not carry the tenant prefix, and one whose rest starts with the escape character.
      { time: T0 + 31_000, ruleIndex: 0, key: 'other:x', eventIds: ['other:x', `${TENANT}:!odd`], values: ['!v'] },
      // Ids from hostile records: quotes, a backslash, a control character, a lone surrogate and an emoji.
      {
        time: T0 + 32_000,
        ruleIndex: 0,
        key: `${TENANT}:a"b\\c\u0001d\ud800e😀`,
        eventIds: [`${TENANT}:a"b\\c\u0001d\ud800e😀`],
        values: [],
      },
    );
    const text = encodeGroup(group);
    assert.deepEqual(decodeGroup(text), group);
    assert.ok(!/[\ud800-\udfff]/.test(text.replace(/😀/g, '')), 'a lone surrogate is escaped (stored text stays valid UTF-8)');
    const noName: Group = { ruleId: 'r', tenantId: TENANT, groupBy: {}, entries: [] };
    assert.deepEqual(decodeGroup(encodeGroup(noName)), { ...noName, tenantName: undefined });
  });

  it('of a group written again read back as the group, after its matches were replaced, added and dropped', () => {
    const group = busyGroup(100);
    assert.deepEqual(decodeGroup(encodeGroup(group)), group);
    // What the engine does between checkpoints: a match fires (replaced by a copy), a late one lands, the oldest go.
    group.entries[40] = { ...group.entries[40]!, fired: true, firedAt: 7 };
    group.entries[41] = { ...group.entries[41]!, eventIds: [id(41), id(500)] };
    group.entries.splice(60, 0, {
      time: group.entries[59]!.time,
      ruleIndex: 1,
      key: id(501),
      eventIds: [id(501)],
      values: ['x'],
    });
    group.entries.splice(0, 3);
    group.droppedUntil = T0 + 14_000;
    assert.deepEqual(decodeGroup(encodeGroup(group)), group);
  });

  it('keep a busy group at a quarter of its JSON object', () => {
    const group = busyGroup(300);
    const compact = encodeGroup(group).length;
    const plain = JSON.stringify(group).length;
    assert.ok(compact * 4 <= plain, `${compact} bytes against ${plain} as a JSON object`);
    assert.ok(compact / 300 < 50, `${(compact / 300).toFixed(1)} bytes per match`);
  });

  it('written before this format (the group as a JSON object) are still read', () => {
    const group = busyGroup(2);
    group.entries[1] = { ...group.entries[1]!, fired: true, firedAt: 3 };
    assert.deepEqual(decodeGroup(JSON.stringify(group)), group);
  });
});
