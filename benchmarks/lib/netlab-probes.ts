/**
 * Measurements of the test network itself, for the netlab benchmark: the
 * raw TCP rate of a capped uplink (the yardstick of multi-source
 * downloads), TCP simultaneous open between two homes with ports agreed in
 * advance (what a hole punch through these routers needs), and js-libp2p's
 * own hole punching (DCUtR, lib/netlab-dcutr.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { percentile } from './stats.js'
import type { Netlab } from '../../test/netlab/netlab.js'

const node = process.execPath

/** MB/s of one raw TCP connection carrying `bytes` from `from` to a receiver on `to` (port 5001). */
export async function rawTcpMBps (lab: Netlab, from: string, to: string, bytes: number): Promise<number> {
  const receiver = spawn('ip', ['netns', 'exec', lab.netnsOf(to), node, '-e', `
    require('net').createServer(s => { s.on('data', () => {}); s.on('end', () => { s.end() }) }).listen(5001, () => console.log('ready'))`])
  try {
    await firstLine(receiver)
    const { stdout } = await lab.exec(from, node, ['-e', `
      const net = require('net'); const chunk = Buffer.alloc(64 * 1024); let left = ${bytes}
      const t0 = process.hrtime.bigint()
      const s = net.connect(5001, '${lab.hosts.get(to)!.address}', () => {
        const pump = () => { while (left > 0) { left -= chunk.length; if (!s.write(chunk)) return } s.end() }
        s.on('drain', pump); pump()
      })
      s.on('close', () => console.log(${bytes} / 1e6 / (Number(process.hrtime.bigint() - t0) / 1e9)))`], { timeoutMs: 120_000 })
    return Number(stdout.trim())
  } finally {
    receiver.kill('SIGKILL')
  }
}

/**
 * TCP simultaneous open between `a` and `b` (hosts in two homes): each dials
 * the other's router from a port both agreed on beforehand, at the same
 * moment. Returns the time each attempt took to connect (undefined: failed).
 */
export async function simultaneousOpens (lab: Netlab, a: string, b: string, attempts: number): Promise<Array<number | undefined>> {
  const homeOf = (host: string): string => lab.homes.get(lab.hosts.get(host)!.home!)!.publicAddress
  const out: Array<number | undefined> = []
  for (let i = 0; i < attempts; i++) {
    const portA = 41_000 + i
    const portB = 42_000 + i
    const at = Date.now() + 1_000
    const side = async (host: string, peerIp: string, myPort: number, peerPort: number): Promise<number | undefined> => {
      const { stdout } = await lab.exec(host, node, ['-e', `
        const net = require('net')
        setTimeout(() => {
          const t0 = Date.now()
          const s = net.connect({ host: '${peerIp}', port: ${peerPort}, localPort: ${myPort} })
          s.setTimeout(5000, () => { console.log('fail'); s.destroy() })
          s.on('connect', () => { console.log(Date.now() - t0); s.destroy() })
          s.on('error', () => { console.log('fail') })
        }, Math.max(0, ${at} - Date.now()))`], { timeoutMs: 15_000 })
      const ms = Number(stdout.trim().split('\n')[0])
      return Number.isFinite(ms) ? ms : undefined
    }
    const [ma, mb] = await Promise.all([side(a, homeOf(b), portA, portB), side(b, homeOf(a), portB, portA)])
    out.push(ma != null && mb != null ? Math.max(ma, mb) : undefined)
  }
  return out
}

export interface DcutrProbe {
  attempts: number
  succeeded: number
  p50Ms: number | null
  /** what js-libp2p's DCUtR logged when it gave up, once per distinct line */
  why: string[]
}

/**
 * js-libp2p's DCUtR between `a` and `b` (two homes) through a relay on
 * `relayHost`: `a` reserves a slot, `b` dials it through the relay, `rounds`
 * times, and waits for DCUtR to set up a direct connection.
 */
export async function dcutrProbe (lab: Netlab, relayHost: string, a: string, b: string, rounds: number): Promise<DcutrProbe> {
  const script = new URL('./netlab-dcutr.js', import.meta.url).pathname
  const env = { ...process.env, DEBUG: 'libp2p:dcutr*' }
  const start = (host: string, args: string[]): ChildProcess => spawn('ip', ['netns', 'exec', lab.netnsOf(host), node, script, ...args], { env })
  const relay = start(relayHost, ['relay'])
  const children = [relay]
  const result: DcutrProbe = { attempts: 0, succeeded: 0, p50Ms: null, why: [] }
  const times: number[] = []
  try {
    const relayAddr = JSON.parse(await firstLine(relay)).addrs[0]
    for (let i = 0; i < rounds; i++) {
      const listener = start(a, ['listen', relayAddr])
      children.push(listener)
      const target = JSON.parse(await firstLine(listener)).relayed[0]
      const dialer = start(b, ['dial', relayAddr, target])
      children.push(dialer)
      let log = ''
      for (const c of [listener, dialer]) c.stderr?.on('data', (d: Buffer) => { log += d.toString() })
      const outcome = JSON.parse(await firstLine(dialer))
      await new Promise(resolve => setTimeout(resolve, 300))
      listener.kill('SIGKILL')
      result.attempts += (log.match(/sending connect/g) ?? []).length
      if (outcome.direct === true) {
        result.succeeded++
        times.push(outcome.directAfterMs)
      }
      for (const line of log.split('\n')) {
        const m = /libp2p:dcutr(?::error)? (.*(no public addresses|no dialable multiaddrs|error while attempting).*?)( in \[.*)?$/.exec(line)
        const text = m?.[1].replace(/12D3\w+/g, '<peer>').replace(/attempt \d+ of/, 'attempt N of')
        if (text != null && !result.why.includes(text)) result.why.push(text)
      }
    }
  } finally {
    for (const c of children) c.kill('SIGKILL')
  }
  result.p50Ms = times.length === 0 ? null : percentile(times.sort((x, y) => x - y), 50)
  return result
}

/** The first line a child prints on stdout (within 30 s). */
async function firstLine (child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => { reject(new Error(`no output within 30 s: ${out}`)) }, 30_000)
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const nl = out.indexOf('\n')
      if (nl >= 0) {
        clearTimeout(timer)
        resolve(out.slice(0, nl))
      }
    })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`exited with ${String(code)} before printing: ${out}`)) })
  })
}
