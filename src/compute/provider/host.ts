/** What a provider tells the bootstrap about its machine (WORK-2). */
import { statfs } from 'node:fs/promises'
import { BlockList, isIP } from 'node:net'
import { arch, cpus, platform, release, totalmem } from 'node:os'
import type { ProviderHost } from '../../pb/work.js'

export type NetworkType = 'loopback' | 'lan' | 'wan'

const loopback = new BlockList()
loopback.addSubnet('127.0.0.0', 8, 'ipv4')
loopback.addAddress('::1', 'ipv6')

const privateRanges = new BlockList()
privateRanges.addSubnet('10.0.0.0', 8, 'ipv4')
privateRanges.addSubnet('172.16.0.0', 12, 'ipv4')
privateRanges.addSubnet('192.168.0.0', 16, 'ipv4')
privateRanges.addSubnet('169.254.0.0', 16, 'ipv4')
privateRanges.addSubnet('100.64.0.0', 10, 'ipv4')
privateRanges.addSubnet('fc00::', 7, 'ipv6')
privateRanges.addSubnet('fe80::', 10, 'ipv6')

/**
 * How the provider reaches the bootstrap, from the bootstrap's address:
 * `loopback` for 127/8 and ::1, `lan` for private and link-local ranges
 * (and the shared CGNAT range), `wan` otherwise. A DNS name is `wan`,
 * except `localhost`.
 */
export function networkType (host: string): NetworkType {
  const h = host.replace(/^\[|\]$/g, '')
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(h)
  const ip = mapped?.[1] ?? h
  const family = isIP(ip)
  if (family === 0) return ip.toLowerCase() === 'localhost' ? 'loopback' : 'wan'
  const type = family === 4 ? 'ipv4' : 'ipv6'
  if (loopback.check(ip, type)) return 'loopback'
  if (privateRanges.check(ip, type)) return 'lan'
  return 'wan'
}

/** Free space for the current user on the file system of `dir`, in MiB (0 when it cannot be read). */
export async function freeDiskMb (dir: string): Promise<number> {
  try {
    const s = await statfs(dir)
    return Math.floor(Number(s.bavail) * Number(s.bsize) / (1024 * 1024))
  } catch {
    return 0
  }
}

/** This machine: CPU model, cores and MHz, OS and release, memory, free disk under `dataDir`. */
export async function probeProviderHost (dataDir: string, network: NetworkType, bandwidthBps: number): Promise<ProviderHost> {
  const cores = cpus()
  return {
    cpuModel: (cores[0]?.model ?? 'unknown').trim().slice(0, 200),
    cores: cores.length,
    cpuMhz: Math.max(0, Math.round(cores[0]?.speed ?? 0)),
    os: `${platform()}-${arch()} ${release()}`.slice(0, 200),
    memoryMb: Math.floor(totalmem() / (1024 * 1024)),
    freeDiskMb: await freeDiskMb(dataDir),
    network,
    bandwidthBps: Math.max(0, Math.round(bandwidthBps))
  }
}

/** Bytes per second over the most recent downloads (total bytes over total time); 0 before the first. */
export class BandwidthMeter {
  private readonly samples: Array<{ bytes: number, ms: number }> = []

  constructor (private readonly window: number) {}

  record (bytes: number, ms: number): void {
    if (!(bytes > 0) || !(ms >= 0)) return
    this.samples.push({ bytes, ms: Math.max(1, ms) })
    if (this.samples.length > this.window) this.samples.shift()
  }

  bytesPerSecond (): number {
    let bytes = 0
    let ms = 0
    for (const s of this.samples) {
      bytes += s.bytes
      ms += s.ms
    }
    return ms === 0 ? 0 : Math.round(bytes * 1000 / ms)
  }
}
