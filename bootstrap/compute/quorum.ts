/**
 * Validation by quorum (WORK-8), as pure functions over a unit's replicas.
 * The scheduler applies their verdicts.
 */

export interface ReportedHash {
  /** hex of the output hash */
  hash: string
  /** issued as the unit's only replica to a trusted provider */
  solo: boolean
}

/** What a unit's reported replicas decide. */
export type QuorumVerdict =
  /** `solo`: decided by one trusted provider's result alone, below a quorum above 1 */
  | { kind: 'valid', hash: string, solo: boolean }
  | { kind: 'undecided', best: number }

/**
 * A unit is valid when `quorum` reported replicas agree on a hash, or when
 * its only replica went to a trusted provider (adaptive replication) and was
 * reported. Ties cannot happen: the first hash to reach the quorum wins, and
 * the function is called after every report.
 */
export function quorumVerdict (reported: readonly ReportedHash[], quorum: number): QuorumVerdict {
  const solo = reported.find(r => r.solo)
  if (solo != null) return { kind: 'valid', hash: solo.hash, solo: quorum > 1 }
  const counts = new Map<string, number>()
  let best = 0
  for (const r of reported) {
    const n = (counts.get(r.hash) ?? 0) + 1
    counts.set(r.hash, n)
    if (n >= quorum) return { kind: 'valid', hash: r.hash, solo: false }
    if (n > best) best = n
  }
  return { kind: 'undecided', best }
}

/**
 * How many replicas an undecided unit wants now, given those out (`live`),
 * those it wanted already (`want`), and the attempts it has left:
 * when every issued replica is decided and no hash has a quorum, one more;
 * never past maxAttempts. Zero wanted and none out means the unit failed.
 */
export function replicasWanted (opts: { live: number, want: number, attempts: number, maxAttempts: number }): number {
  let want = opts.want
  if (opts.live === 0 && want === 0) want = 1
  return Math.max(0, Math.min(want, opts.maxAttempts - opts.attempts))
}
