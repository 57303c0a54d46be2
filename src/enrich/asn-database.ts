import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { AsnDatabaseError } from './errors.ts';
import { ipv4Number } from './public-ip.ts';

/** The ECS `as` fields of an IP address. */
export interface AsnFields {
  number: number;
  organization?: { name: string };
}

/** IP → autonomous system, from ip-location-db's `asn-ipv4-num.csv` / `asn-ipv6-num.csv` layout. */
export interface AsnDatabase {
  /** The autonomous system announcing `ip` (a valid IPv4 or IPv6 address), or undefined when none is known. */
  lookup(ip: string): AsnFields | undefined;
  /** Ranges loaded: IPv4 and IPv6. */
  readonly ranges: { v4: number; v6: number };
}

/** The bundled data: RouteViews + RIR + DB-IP ASN Lite (CC BY 4.0), as published by ip-location-db on npm. */
export function bundledAsnFolder(): string {
  return dirname(createRequire(import.meta.url).resolve('@ip-location-db/asn/package.json'));
}

/** An address as 32-bit limbs, most significant first: one limb for IPv4, four for IPv6. */
type Limbs = Uint32Array;

/**
 * Address ranges sorted by start, made disjoint while they are added: where a range starts inside the previous
 * one, the newer (more specific) range wins that part and the rest of the previous range is kept after it.
 * Stored as typed columns of limbs so a lookup is a binary search without allocation.
 */
class RangeTable {
  #starts: Uint32Array;
  #ends: Uint32Array;
  #asns: Uint32Array;
  #count = 0;

  constructor(
    private readonly path: string,
    private readonly width: number,
  ) {
    this.#starts = new Uint32Array(1024 * width);
    this.#ends = new Uint32Array(1024 * width);
    this.#asns = new Uint32Array(1024);
  }

  get count(): number {
    return this.#count;
  }

  add(start: Limbs, end: Limbs, asn: number, line: number): void {
    if (compare(end, 0, start) < 0) throw new AsnDatabaseError(this.path, `line ${line}: the range ends before it starts`);
    const last = this.#count - 1;
    if (last >= 0) {
      if (this.#compareAt(this.#starts, last, start) > 0)
        throw new AsnDatabaseError(this.path, `line ${line}: ranges are not sorted by their start`);
      if (this.#compareAt(this.#ends, last, start) >= 0) {
        const previousEnd = this.#limbsAt(this.#ends, last);
        const previousAsn = this.#asns[last] as number;
        this.#ends.set(step(start, -1), last * this.width);
        this.#push(start, end, asn);
        if (compare(end, 0, previousEnd) < 0) this.#push(step(end, 1), previousEnd, previousAsn);
        return;
      }
    }
    this.#push(start, end, asn);
  }

  /** The AS number of the range holding `key`, or undefined. */
  find(key: Limbs): number | undefined {
    let lo = 0;
    let hi = this.#count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compareAt(this.#starts, mid, key) > 0) hi = mid;
      else lo = mid + 1;
    }
    const i = lo - 1;
    return i >= 0 && this.#compareAt(this.#ends, i, key) >= 0 ? this.#asns[i] : undefined;
  }

  #push(start: Limbs, end: Limbs, asn: number): void {
    if (this.#count === this.#asns.length) {
      this.#starts = grow(this.#starts);
      this.#ends = grow(this.#ends);
      this.#asns = grow(this.#asns);
    }
    this.#starts.set(start, this.#count * this.width);
    this.#ends.set(end, this.#count * this.width);
    this.#asns[this.#count++] = asn;
  }

  /** Sign of (row `i` of `column`) − `key`. */
  #compareAt(column: Uint32Array, i: number, key: Limbs): number {
    const base = i * this.width;
    for (let k = 0; k < this.width; k++) {
      const a = column[base + k] as number;
      const b = key[k] as number;
      if (a !== b) return a < b ? -1 : 1;
    }
    return 0;
  }

  #limbsAt(column: Uint32Array, i: number): Limbs {
    return column.slice(i * this.width, (i + 1) * this.width);
  }
}

function grow(column: Uint32Array): Uint32Array {
  const bigger = new Uint32Array(column.length * 2);
  bigger.set(column);
  return bigger;
}

/** Sign of `a` − `b`, limb by limb from `offset`. */
function compare(a: Limbs, offset: number, b: Limbs): number {
  for (let k = offset; k < a.length; k++) {
    if (a[k] !== b[k]) return (a[k] as number) < (b[k] as number) ? -1 : 1;
  }
  return 0;
}

/** `limbs` + `delta` (±1), with carry or borrow across limbs. */
function step(limbs: Limbs, delta: 1 | -1): Limbs {
  const out = limbs.slice();
  for (let k = out.length - 1; k >= 0; k--) {
    const next = (out[k] as number) + delta;
    if (next >= 0 && next <= 0xffffffff) {
      out[k] = next;
      return out;
    }
    out[k] = delta === 1 ? 0 : 0xffffffff;
  }
  return out;
}

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const ZERO = 0x30;

/**
 * Parses the decimal number in `text[from, to)` into `out`'s 32-bit limbs (most significant first); false when it is
 * not digits only or does not fit. Digits are taken four at a time (a limb × 10⁴ stays exact in a double).
 */
function decimalLimbs(text: Buffer, from: number, to: number, out: Limbs): boolean {
  if (to <= from) return false;
  out.fill(0);
  for (let i = from; i < to; ) {
    const chunkEnd = Math.min(to, i + 4);
    let carry = 0;
    let scale = 1;
    for (; i < chunkEnd; i++) {
      const digit = (text[i] as number) - ZERO;
      if (digit < 0 || digit > 9) return false;
      carry = carry * 10 + digit;
      scale *= 10;
    }
    for (let k = out.length - 1; k >= 0; k--) {
      const value = (out[k] as number) * scale + carry;
      const low = value % 0x100000000;
      out[k] = low;
      carry = (value - low) / 0x100000000;
    }
    if (carry !== 0) return false;
  }
  return true;
}

/** Reads one `start,end,asn,name` CSV file into `table`, keeping the first name seen for each AS number. */
function loadCsv(path: string, width: number, names: Map<number, string>): RangeTable {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (err) {
    throw new AsnDatabaseError(path, (err as Error).message, { cause: err });
  }
  const table = new RangeTable(path, width);
  const first = new Uint32Array(width);
  const last = new Uint32Array(width);
  const asnLimb = new Uint32Array(1);
  let at = 0;
  for (let line = 1; at < text.length; line++) {
    let lineEnd = text.indexOf(NEWLINE, at);
    if (lineEnd === -1) lineEnd = text.length;
    const end = text[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (end > at) {
      const c1 = text.indexOf(COMMA, at);
      const c2 = c1 === -1 ? -1 : text.indexOf(COMMA, c1 + 1);
      const c3 = c2 === -1 ? -1 : text.indexOf(COMMA, c2 + 1);
      if (c3 === -1 || c3 > end) throw new AsnDatabaseError(path, `line ${line} does not have 4 fields`);
      if (!decimalLimbs(text, at, c1, first) || !decimalLimbs(text, c1 + 1, c2, last) || !decimalLimbs(text, c2 + 1, c3, asnLimb))
        throw new AsnDatabaseError(path, `line ${line} has a malformed number`);
      const asn = asnLimb[0] as number;
      table.add(first, last, asn, line);
      if (!names.has(asn) && end > c3 + 1) {
        const name = text.toString('utf8', c3 + 1, end);
        names.set(asn, text[c3 + 1] === QUOTE ? name.slice(1, -1).replaceAll('""', '"') : name);
      }
    }
    at = lineEnd + 1;
  }
  return table;
}

const v4Key = new Uint32Array(1);
const v6Key = new Uint32Array(4);

function ipv4Limbs(ip: string): Limbs {
  v4Key[0] = ipv4Number(ip);
  return v4Key;
}

function ipv6Limbs(ip: string): Limbs {
  const parts = ipaddr.IPv6.parse(ip).parts;
  for (let k = 0; k < 4; k++) v6Key[k] = (parts[2 * k] as number) * 0x10000 + (parts[2 * k + 1] as number);
  return v6Key;
}

const opened = new Map<string, AsnDatabase>();

/**
 * Loads the IPv4 and IPv6 ranges of `folder` (files `asn-ipv4-num.csv` and `asn-ipv6-num.csv`, decimal
 * `start,end,asn,name` lines sorted by start) into typed arrays: about 10 MB for the bundled data, read once per
 * folder and shared by every enricher of the process. Throws AsnDatabaseError naming the file and line when the data
 * cannot be used.
 */
export function openAsnDatabase(folder: string = bundledAsnFolder()): AsnDatabase {
  const known = opened.get(folder);
  if (known) return known;
  const names = new Map<number, string>();
  const v4 = loadCsv(join(folder, 'asn-ipv4-num.csv'), 1, names);
  const v6 = loadCsv(join(folder, 'asn-ipv6-num.csv'), 4, names);
  const fields = new Map<number, AsnFields>();
  const fieldsOf = (asn: number): AsnFields => {
    let found = fields.get(asn);
    if (!found) {
      const name = names.get(asn);
      found = name ? { number: asn, organization: { name } } : { number: asn };
      fields.set(asn, found);
    }
    return found;
  };
  const database: AsnDatabase = {
    ranges: { v4: v4.count, v6: v6.count },
    lookup(ip) {
      const family = isIP(ip);
      const asn = family === 4 ? v4.find(ipv4Limbs(ip)) : family === 6 ? v6.find(ipv6Limbs(ip)) : undefined;
      return asn === undefined ? undefined : fieldsOf(asn);
    },
  };
  opened.set(folder, database);
  return database;
}
