/**
 * A small deterministic PRNG (sfc32 seeded through splitmix32): the same
 * seed gives the same cases, so a failure reproduces with `--seed`.
 */
export class Prng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor (readonly seed: number) {
    let s = seed >>> 0
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = next()
    this.b = next()
    this.c = next()
    this.d = next()
  }

  /** A uint32. */
  next (): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0
    this.c = (this.c + t) >>> 0
    return t
  }

  /** An integer in [0, n). */
  int (n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / 0x100000000) * n)
  }

  /** An integer in [lo, hi]. */
  range (lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1)
  }

  chance (p: number): boolean {
    return this.next() / 0x100000000 < p
  }

  pick<T> (items: readonly T[]): T {
    return items[this.int(items.length)]
  }

  bytes (n: number): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff
    return out
  }

  /** A short printable word of `lo`..`hi` characters. */
  word (lo = 1, hi = 12): string {
    const letters = 'abcdefghijklmnopqrstuvwxyz0123456789'
    let s = ''
    for (let i = this.range(lo, hi); i > 0; i--) s += letters[this.int(letters.length)]
    return s
  }

  /** A new generator whose sequence depends only on this one's state: for work done out of order (concurrent cases). */
  fork (): Prng {
    return new Prng(this.next())
  }
}
