import { crc32 } from 'node:zlib';

/** Bytes before each frame's payload: its length and its CRC-32, both big-endian uint32. */
export const FRAME_HEADER = 8;

/** One frame as written to a segment: header, then payload. */
export function encodeFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(crc32(payload), 4);
  payload.copy(frame, FRAME_HEADER);
  return frame;
}

/** Length of the whole, intact frame at `offset` of `data`, or undefined (torn, corrupt, or not a frame start). */
export function frameAt(data: Buffer, offset: number): number | undefined {
  if (offset + FRAME_HEADER > data.length) return undefined;
  const length = data.readUInt32BE(offset);
  // Never written (batches are never empty): zeros are not a frame.
  if (length === 0) return undefined;
  const end = offset + FRAME_HEADER + length;
  if (end > data.length) return undefined;
  const payload = data.subarray(offset + FRAME_HEADER, end);
  return crc32(payload) === data.readUInt32BE(offset + 4) ? FRAME_HEADER + length : undefined;
}

/** A stretch of a segment that is not a whole frame: [start, end) relative to the segment. */
export interface BadRange {
  start: number;
  end: number;
}

export interface SegmentScan {
  /** Offset after the last intact frame. */
  validEnd: number;
  /** Damaged stretches followed by intact frames (their bytes are not delivered as events). */
  bad: BadRange[];
}

/**
 * Walks every frame of a segment and checks its CRC. At a damaged frame it looks for the next offset where an
 * intact frame starts and carries on from there; damage after the last intact frame ends `validEnd`.
 */
export function scanSegment(data: Buffer): SegmentScan {
  const bad: BadRange[] = [];
  let offset = 0;
  let validEnd = 0;
  while (offset < data.length) {
    const length = frameAt(data, offset);
    if (length !== undefined) {
      offset += length;
      validEnd = offset;
      continue;
    }
    let next = offset + 1;
    while (next + FRAME_HEADER <= data.length && frameAt(data, next) === undefined) next += 1;
    if (next + FRAME_HEADER > data.length) break;
    bad.push({ start: offset, end: next });
    offset = next;
  }
  return { validEnd, bad: bad.filter((r) => r.end <= validEnd) };
}

/** Header of the frames written before checksums existed: the payload length only. */
export const LEGACY_FRAME_HEADER = 4;

/**
 * Length of the whole frames of a segment written in the older format (`[length u32][payload]`, payloads are JSON
 * arrays), or 0 when it is not one: such a segment is read as it is, and new frames go to a new segment.
 */
export function legacyLength(data: Buffer): number {
  let offset = 0;
  while (offset + LEGACY_FRAME_HEADER < data.length) {
    const length = data.readUInt32BE(offset);
    const end = offset + LEGACY_FRAME_HEADER + length;
    if (length === 0 || end > data.length || data[offset + LEGACY_FRAME_HEADER] !== 0x5b) break;
    offset = end;
  }
  return offset;
}
