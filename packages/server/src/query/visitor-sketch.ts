// Unique visitors as a mergeable HyperLogLog sketch. No npm library fitted: `bloom-filters` (typed, maintained)
// has no exact small-count form and eight runtime dependencies; `hyperloglog` / `hyperloglog-lite` are untyped
// and need native hashing modules. Exact up to SPARSE_LIMIT distinct values (the 53-bit hashes themselves are
// kept), then 2^12 one-byte registers read with Ertl's improved estimator ("New cardinality estimation algorithms
// for HyperLogLog sketches", 2017): relative standard error 1.04 / √4096 ≈ 1.6 % at every size, no bias tables.
// Union = register maximum, so sketches merge in any order to the same bytes.

/** Register index bits: 4096 registers. */
export const HLL_PRECISION = 12
const M = 1 << HLL_PRECISION
/** Bits of the hash past the register index: ranks run 1…Q+1. */
const Q = 53 - HLL_PRECISION
/** Relative standard error of a dense estimate. */
export const HLL_STANDARD_ERROR = 1.04 / Math.sqrt(M)
/** Distinct values a sketch counts exactly; one more and it turns dense (8 bytes each, as many as the registers). */
export const SPARSE_LIMIT = M / 8

const SPARSE = 1
const DENSE = 2
const HEADER = 2
const ALPHA_INF = 1 / (2 * Math.LN2)

/** A 53-bit hash of a string (cyrb53: two multiplicative 32-bit lanes, cross-mixed). */
export function hash53(value: string): number {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return 4294967296 * (h2 & 0x1fffff) + (h1 >>> 0)
}

const REST = 21 - HLL_PRECISION
/** The register a hash lands in: its top bits. */
const indexOf = (hash: number) => Math.floor(hash / 4294967296) >>> REST
/** A hash's rank: 1 + leading zeros of the Q bits after the index. */
function rankOf(hash: number): number {
  const rest = Math.floor(hash / 4294967296) & ((1 << REST) - 1)
  const low = hash >>> 0
  return rest !== 0 ? Math.clz32(rest) - (32 - REST) + 1 : low !== 0 ? REST + Math.clz32(low) + 1 : Q + 1
}

/** Ertl's σ and τ series (the corrections for empty and saturated registers). */
function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY
  let y = 1
  let z = x
  for (let previous = -1; z !== previous; y += y) {
    previous = z
    x *= x
    z += x * y
  }
  return z
}
function tau(x: number): number {
  if (x === 0 || x === 1) return 0
  let y = 1
  let z = 1 - x
  for (let previous = -1; z !== previous; ) {
    previous = z
    x = Math.sqrt(x)
    y *= 0.5
    z -= (1 - x) ** 2 * y
  }
  return z / 3
}

/** A set of visitors, counted exactly while small and estimated once large; mergeable and serialisable. */
export class VisitorSketch {
  private hashes: Set<number> | undefined = new Set()
  private registers: Uint8Array | undefined

  /** Adds one value (a visitor hash); answers whether the sketch changed. */
  add(value: string): boolean {
    return this.addHash(hash53(value))
  }

  /** Adds a value by its `hash53` (to add one value to several sketches, hash it once). */
  addHash(hash: number): boolean {
    if (this.hashes) {
      if (this.hashes.has(hash)) return false
      this.hashes.add(hash)
      if (this.hashes.size > SPARSE_LIMIT) this.densify()
      return true
    }
    return this.raise(indexOf(hash), rankOf(hash))
  }

  private raise(index: number, rank: number): boolean {
    const registers = this.registers as Uint8Array
    if ((registers[index] as number) >= rank) return false
    registers[index] = rank
    return true
  }

  private densify(): void {
    this.registers = new Uint8Array(M)
    for (const hash of this.hashes ?? []) this.raise(indexOf(hash), rankOf(hash))
    this.hashes = undefined
  }

  /** Adds everything `other` holds (union); answers whether this sketch changed. */
  merge(other: VisitorSketch): boolean {
    let changed = false
    if (other.hashes) {
      for (const hash of other.hashes) changed = this.addHash(hash) || changed
      return changed
    }
    if (this.hashes) {
      this.densify()
      changed = true
    }
    const mine = this.registers as Uint8Array
    const theirs = other.registers as Uint8Array
    for (let i = 0; i < M; i++) {
      if ((theirs[i] as number) > (mine[i] as number)) {
        mine[i] = theirs[i] as number
        changed = true
      }
    }
    return changed
  }

  /** Whether the count is exact (few enough values to keep them all). */
  get exact(): boolean {
    return this.hashes !== undefined
  }

  /** Distinct values added: exact while `exact`, otherwise an estimate within ±1.6 % (one standard error). */
  count(): number {
    if (this.hashes) return this.hashes.size
    const registers = this.registers as Uint8Array
    const histogram = new Int32Array(Q + 2)
    for (let i = 0; i < M; i++) {
      const r = registers[i] as number
      histogram[r] = (histogram[r] as number) + 1
    }
    let z = M * tau(1 - (histogram[Q + 1] as number) / M)
    for (let k = Q; k >= 1; k--) z = 0.5 * (z + (histogram[k] as number))
    z += M * sigma((histogram[0] as number) / M)
    return Math.round((ALPHA_INF * M * M) / z)
  }

  /** The sketch as bytes: `[1, p, …hashes as 8-byte big-endian, ascending]` or `[2, p, …registers]`. */
  encode(): Buffer {
    if (this.registers) {
      const bytes = Buffer.alloc(HEADER + M)
      bytes.set([DENSE, HLL_PRECISION])
      bytes.set(this.registers, HEADER)
      return bytes
    }
    const hashes = [...(this.hashes ?? [])].sort((a, b) => a - b)
    const bytes = Buffer.alloc(HEADER + 8 * hashes.length)
    bytes.set([SPARSE, HLL_PRECISION])
    hashes.forEach((hash, i) => {
      bytes.writeUInt32BE(Math.floor(hash / 4294967296), HEADER + 8 * i)
      bytes.writeUInt32BE(hash >>> 0, HEADER + 8 * i + 4)
    })
    return bytes
  }

  /** A sketch from `encode`'s bytes; throws on anything else. */
  static decode(bytes: Uint8Array): VisitorSketch {
    const sketch = new VisitorSketch()
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const [kind, precision] = [bytes[0], bytes[1]]
    if (precision !== HLL_PRECISION) throw new Error(`visitor sketch of precision ${precision}, expected ${HLL_PRECISION}`)
    if (kind === DENSE && bytes.length === HEADER + M) {
      sketch.hashes = undefined
      sketch.registers = new Uint8Array(bytes.subarray(HEADER)) // a copy: merges must not write into the caller's bytes
    } else if (kind === SPARSE && (bytes.length - HEADER) % 8 === 0) {
      for (let at = HEADER; at < bytes.length; at += 8) sketch.addHash(view.getUint32(at) * 4294967296 + view.getUint32(at + 4))
    } else {
      throw new Error('not a visitor sketch')
    }
    return sketch
  }
}
