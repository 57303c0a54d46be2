import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../core/alert.ts';
import { latestAlertVersions } from './latest-alert-versions.ts';

const alert = (id: string, count: number): Alert => ({ id, count }) as unknown as Alert;

test('latestAlertVersions keeps the last version of each alert id, in the order of those versions', () => {
  const versions = [alert('a', 1), alert('b', 1), alert('a', 2), alert('c', 1), alert('a', 3), alert('b', 2)];
  assert.deepEqual(
    latestAlertVersions(versions).map((a) => [a.id, a.count]),
    [
      ['c', 1],
      ['a', 3],
      ['b', 2],
    ],
  );
});

test('latestAlertVersions leaves alerts with distinct ids as they are', () => {
  const distinct = [alert('x', 4), alert('y', 1)];
  assert.deepEqual(latestAlertVersions(distinct), distinct);
  assert.deepEqual(latestAlertVersions([]), []);
});
