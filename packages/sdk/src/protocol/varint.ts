// LEB128 varints for the binary sketch form (sketch.ts): unsigned integers up to 2^53, 7 bits a byte, low
// bits first; signed ones zigzag-mapped first (0, -1, 1, -2, … → 0, 1, 2, 3, …) so small magnitudes stay short.
// Arithmetic, not bit operators, so values past 2^31 survive.

/** Appends varints to a growing byte buffer. */
export class VarintWriter {
  private bytes = new Uint8Array(64)
  private length = 0

  /** Appends a non-negative safe integer. Throws a RangeError for anything else. */
  uint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint: ${value} is not a non-negative safe integer`)
    if (this.length + 8 > this.bytes.length) this.grow()
    let v = value
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.bytes[this.length++] = v
    return this
  }

  /** Appends a safe integer of either sign, zigzag-mapped. */
  int(value: number): this {
    return this.uint(value >= 0 ? value * 2 : -value * 2 - 1)
  }

  /** The bytes written, as a copy of exactly their length. */
  finish(): Uint8Array {
    return this.bytes.slice(0, this.length)
  }

  private grow(): void {
    const bigger = new Uint8Array(this.bytes.length * 2)
    bigger.set(this.bytes)
    this.bytes = bigger
  }
}

/** Reads varints from bytes; throws a RangeError on truncated or oversized input. */
export class VarintReader {
  private at = 0

  constructor(private readonly bytes: Uint8Array) {}

  /** True once every byte has been read. */
  get done(): boolean {
    return this.at >= this.bytes.length
  }

  uint(): number {
    let value = 0
    let scale = 1
    for (;;) {
      if (this.at >= this.bytes.length) throw new RangeError('varint: truncated input')
      const byte = this.bytes[this.at++] as number
      value += (byte & 0x7f) * scale
      if (byte < 0x80) break
      scale *= 0x80
      if (scale > 2 ** 56) throw new RangeError('varint: value too large')
    }
    if (!Number.isSafeInteger(value)) throw new RangeError('varint: value too large')
    return value
  }

  int(): number {
    const z = this.uint()
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2
  }
}
