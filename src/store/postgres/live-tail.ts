import { StoreQueryError } from '../errors.ts';

/**
 * The live tail's position in PostgreSQL. Sequence numbers are handed out when a row is inserted but become visible
 * when its transaction commits, and workers commit in any order: a tail that followed `seq` alone would step over a
 * row of a slower transaction. So a row's position is (inserting transaction id, seq), and a tail only reads rows whose
 * transaction is older than every transaction still running (`pg_snapshot_xmin`): those are final, and any row written
 * later has a higher position. An event is never skipped; one committed while a page was read may also come by the tail.
 */
export interface TailPosition {
  /** xid8, as decimal text (64-bit). */
  xact: string;
  seq: number;
}

export function encodeTail(position: TailPosition): string {
  return `${position.xact}.${position.seq}`;
}

export function decodeTail(value: string): TailPosition {
  const match = /^(\d{1,20})\.(\d{1,15})$/.exec(value);
  if (!match) throw new StoreQueryError('after', 'is not a tail cursor returned by the store');
  return { xact: match[1]!, seq: Number(match[2]) };
}

/** The later of two positions. */
export function laterOf(a: TailPosition, b: TailPosition): TailPosition {
  const x = BigInt(a.xact) - BigInt(b.xact);
  return x > 0n || (x === 0n && a.seq >= b.seq) ? a : b;
}

/** SQL of the horizon: rows of transactions below it are final; (horizon, 0) is "everything final so far". */
export const HORIZON_SQL = 'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xact';
