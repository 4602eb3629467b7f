/**
 * Priority mode (compute.md, WORK-5): a provider's level from its resources
 * and its history, and the median that splits fast providers from slow ones.
 * Pure functions, so the ranking is testable on its own.
 */

export interface LevelInput {
  cpus: number
  maxMemoryMb: number
  host: { cores: number, cpuMhz: number }
  valid: number
  invalid: number
  failed: number
  timedOut: number
  lost: number
  turnaroundSum: number
  turnaroundCount: number
}

/**
 * level = resources × valid rate × speed, where
 * - resources = log2(1 + donated cores × GHz) + ½ log2(1 + memory cap in GiB)
 *   (cores: `--cpus`, else the host's; GHz: the host's, 1 when unknown);
 * - valid rate = (valid + 1) / (results + 2), results counting valid,
 *   invalid, failed, timed-out and lost replicas (a newcomer starts at ½);
 * - speed = ½ + 1 / (1 + mean turnaround in s / 10), or 1 before any valid
 *   result.
 */
export function providerLevel (p: LevelInput): number {
  const cores = p.cpus > 0 ? p.cpus : Math.max(1, p.host.cores)
  const ghz = p.host.cpuMhz > 0 ? p.host.cpuMhz / 1000 : 1
  const memGiB = Math.max(0, p.maxMemoryMb) / 1024
  const resources = Math.log2(1 + cores * ghz) + 0.5 * Math.log2(1 + memGiB)
  const results = p.valid + p.invalid + p.failed + p.timedOut + p.lost
  const validRate = (p.valid + 1) / (results + 2)
  const speed = p.turnaroundCount > 0 ? 0.5 + 1 / (1 + (p.turnaroundSum / p.turnaroundCount) / 10_000) : 1
  return Math.round(resources * validRate * speed * 1000) / 1000
}

/** The median of `values` (the mean of the middle two for an even count); 0 for none. */
export function median (values: readonly number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Work is scarce when fewer replicas are ready than the active providers ask for. */
export function isScarce (readyReplicas: number, demand: number): boolean {
  return readyReplicas < demand
}
