/** Summary of a sample of durations, in ms rounded to 0.01. */
export interface Summary {
  n: number
  p50: number
  p90: number
  p99: number
  mean: number
  min: number
  max: number
}

/** Nearest-rank percentile of an ascending array. */
export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

export function round (n: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

export function summarize (values: number[]): Summary | null {
  const xs = values.filter(v => Number.isFinite(v)).sort((a, b) => a - b)
  if (xs.length === 0) return null
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  return {
    n: xs.length,
    p50: round(percentile(xs, 50)),
    p90: round(percentile(xs, 90)),
    p99: round(percentile(xs, 99)),
    mean: round(mean),
    min: round(xs[0]),
    max: round(xs[xs.length - 1])
  }
}

export function ratio (a: number | undefined, b: number | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null
  return round(a / b, 1)
}

/** How many of `xs` fall under each key. */
export function countBy<T> (xs: T[], key: (x: T) => string | number): Map<string | number, number> {
  const m = new Map<string | number, number>()
  for (const x of xs) {
    const k = key(x)
    m.set(k, (m.get(k) ?? 0) + 1)
  }
  return m
}

/** Adds up records of counts key by key. */
/** b - a, key by key; keys whose difference is 0 are left out. */
export function subtractRecords (b: Record<string, number>, a: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const v = (b[k] ?? 0) - (a[k] ?? 0)
    if (v !== 0) out[k] = v
  }
  return out
}

export function sumRecords (rs: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of rs) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v
  return out
}
