import { DetectionSyntaxError } from './errors.ts';

/** Value transformations of the Sigma encoding modifiers (wide, utf16*, base64, base64offset, windash). */

export type Encoding = 'utf16le' | 'utf16be' | 'utf16' | 'utf8';

export function encode(text: string, encoding: Encoding): Buffer {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'utf16le':
      return Buffer.from(text, 'utf16le');
    case 'utf16be':
      return Buffer.from(text, 'utf16le').swap16();
    case 'utf16':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  }
}

export function base64(bytes: Buffer): string {
  return bytes.toString('base64');
}

/**
 * The three base64 renderings of `bytes` when it sits at offset 0, 1 or 2 of a longer encoded
 * string, trimmed of the characters that depend on the unknown surrounding bytes (as pySigma does).
 */
export function base64Offsets(bytes: Buffer): string[] {
  const startTrim = [0, 2, 3];
  const endTrim = [0, -3, -2];
  return [0, 1, 2].map((shift) => {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const end = endTrim[(bytes.length + shift) % 3]!;
    return encoded.slice(startTrim[shift]!, end === 0 ? undefined : end);
  });
}

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
/** More flags than this in one |windash value would make more than 5^6 patterns. */
const MAX_WINDASH_FLAGS = 6;

/**
 * Every variant of `text` where each flag dash is any of the Windows dash characters (-, /, en dash, em dash,
 * horizontal bar), independently per flag: 5^flags variants. A flag dash is one not preceded by a word character and
 * followed by one (pySigma's `\B[-/]\b`): ` -nop`, `"/c`, but not `x-y` nor a lone ` - `.
 */
export function windashVariants(text: string): string[] {
  const flag = /(?<![\p{L}\p{N}_])[-/\u2013\u2014\u2015](?=[\p{L}\p{N}_])/gu;
  const positions = [...text.matchAll(flag)].map((m) => m.index);
  if (positions.length > MAX_WINDASH_FLAGS)
    throw new DetectionSyntaxError(`|windash: "${text}" has more than ${MAX_WINDASH_FLAGS} flags; split the value`);
  let variants = [''];
  let from = 0;
  for (const at of positions) {
    const literal = text.slice(from, at);
    variants = variants.flatMap((v) => DASHES.map((dash) => v + literal + dash));
    from = at + 1;
  }
  const tail = text.slice(from);
  return variants.map((v) => v + tail);
}
