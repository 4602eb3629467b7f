import type { Candidate } from './types.js'

/**
 * Orders candidates best host first, for the choices the seed leaves open
 * (which member takes over a group, which central client is promoted).
 *
 * Reachable hosts come first. Then longer uptime, compared in doubling
 * buckets so that a few seconds do not outweigh a much bigger machine.
 * Then resources (cores, then memory). The peer id breaks ties so the
 * choice is deterministic.
 */
export function rankHosts (candidates: Candidate[], now: number): Candidate[] {
  return [...candidates].sort((a, b) => {
    if (a.reachable !== b.reachable) return a.reachable ? -1 : 1
    const bucket = uptimeBucket(b, now) - uptimeBucket(a, now)
    if (bucket !== 0) return bucket
    if (a.cpus !== b.cpus) return b.cpus - a.cpus
    if (a.memoryMb !== b.memoryMb) return b.memoryMb - a.memoryMb
    return a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0
  })
}

function uptimeBucket (c: Candidate, now: number): number {
  const seconds = Math.max(0, (now - c.joinedAt) / 1000)
  return Math.floor(Math.log2(1 + seconds))
}
