/** A PeerId as the page shows it: its last 8 characters. */
export function shortId (peerId: string): string {
  return peerId.length <= 8 ? peerId : `…${peerId.slice(-8)}`
}

export function duration (ms: number | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '–'
  if (ms < 1_000) return `${Math.round(ms)} ms`
  const s = Math.round(ms / 1_000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`
  const h = Math.floor(m / 60)
  return h < 48 ? `${h}h ${String(m % 60).padStart(2, '0')}m` : `${Math.floor(h / 24)} d`
}

export function megabytes (mb: number): string {
  return mb >= 10_240 ? `${Math.round(mb / 1024)} GiB` : mb >= 1024 ? `${(mb / 1024).toFixed(1)} GiB` : `${mb} MiB`
}

export function rate (n: number): string {
  if (n === 0) return '0'
  if (n < 10) return n.toFixed(2).replace(/\.?0+$/, '')
  return n < 100 ? n.toFixed(1) : String(Math.round(n))
}

export function count (n: number): string {
  return n.toLocaleString('en-US')
}

/** `3 peers`, `1 peer` */
export function plural (n: number, word: string, many = `${word}s`): string {
  return `${count(n)} ${n === 1 ? word : many}`
}

export function clock (at: number): string {
  const d = new Date(at)
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map(n => String(n).padStart(2, '0')).join(':')
}

/** A protocol id without its /peerhive/ prefix and version: /peerhive/join/1.0.0 → join. */
export function protocolName (protocol: string): string {
  const m = /^\/peerhive\/([^/]+)\/[\d.]+$/.exec(protocol)
  return m == null ? protocol : m[1]
}
