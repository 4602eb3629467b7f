import { cpus, totalmem, platform, arch } from 'node:os'
import type { HostInfo } from '../core/index.js'

/** What a peer tells the bootstrap about its machine, for the election's choice of the better host. */
export function probeHost (): HostInfo {
  return {
    cpus: cpus().length,
    memoryMb: Math.floor(totalmem() / (1024 * 1024)),
    uptimeMs: Math.floor(process.uptime() * 1000),
    platform: `${platform()}-${arch()}`
  }
}
