/**
 * A home router's UPnP IGD service: the real miniupnpd (Debian's nftables
 * build), run in the router's namespace. LAN hosts find it with SSDP on the
 * LAN bridge and ask it, over SOAP, to forward a port of the router's public
 * address to one of their own; it writes the forward as nftables rules.
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process'
import { createHash } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Readable } from 'node:stream'

const run = promisify(execFile)

/** the router's HTTP port for its device description and SOAP control */
export const MINIUPNPD_HTTP_PORT = 5000
/** the nftables table miniupnpd writes its forwards into */
const TABLE = 'miniupnpd'
const START_TIMEOUT_MS = 20_000
const STUN_PORT = 3478

/**
 * A STUN server that answers every binding request with the address it came
 * from (MAPPED-ADDRESS, which miniupnpd reads), from the port it was sent to.
 * It ignores CHANGE-REQUEST: miniupnpd asks from the router itself, so every
 * answer is the router's own address, as a full-cone check expects.
 */
const STUN_RESPONDER = `
const [host, port] = process.argv.slice(-2)
const socket = require('node:dgram').createSocket('udp4')
socket.on('message', (req, from) => {
  if (req.length < 20 || req.readUInt16BE(0) !== 0x0001) return
  const res = Buffer.alloc(32)
  res.writeUInt16BE(0x0101, 0)
  res.writeUInt16BE(12, 2)
  req.copy(res, 4, 4, 20)
  res.writeUInt16BE(0x0001, 20)
  res.writeUInt16BE(8, 22)
  res.writeUInt16BE(0x0001, 24)
  res.writeUInt16BE(from.port, 26)
  from.address.split('.').forEach((octet, i) => res.writeUInt8(Number(octet), 28 + i))
  socket.send(res, from.port, from.address)
})
socket.bind(Number(port), host)
`

export interface MiniupnpdPlan {
  /** the WAN interface, in the router's namespace */
  wan: string
  /** the LAN bridge it serves */
  lan: string
  /** the router's public address */
  publicAddress: string
  /** the LAN, as a CIDR: only its hosts may map, and only to themselves */
  lanCidr: string
}

/**
 * Starts miniupnpd in namespace `ns` and waits until it answers. It runs
 * until the namespace's processes are killed (the lab's teardown).
 */
export async function startMiniupnpd (ns: string, plan: MiniupnpdPlan): Promise<void> {
  await nft(ns, 'add', 'table', 'inet', TABLE)
  // base chains that hand every packet to miniupnpd's own chains, which it fills
  await nft(ns, 'add', 'chain', 'inet', TABLE, 'forward', '{ type filter hook forward priority 0; policy accept; }')
  await nft(ns, 'add', 'chain', 'inet', TABLE, 'prerouting', '{ type nat hook prerouting priority -100; policy accept; }')
  await nft(ns, 'add', 'chain', 'inet', TABLE, 'postrouting', '{ type nat hook postrouting priority 100; policy accept; }')
  for (const [base, own] of [['forward', 'miniupnpd'], ['prerouting', 'prerouting_miniupnpd'], ['postrouting', 'postrouting_miniupnpd']]) {
    await nft(ns, 'add', 'chain', 'inet', TABLE, own)
    await nft(ns, 'add', 'rule', 'inet', TABLE, base, 'jump', own)
  }
  const stun = spawnDetached(ns, [process.execPath, '-e', STUN_RESPONDER, plan.publicAddress, String(STUN_PORT)])
  await waitUntil(async () => listening(ns, STUN_PORT, true), exitOf(stun), 'the STUN responder', () => '')
  const conf = join(tmpdir(), `${ns}-miniupnpd.conf`)
  await writeFile(conf, [
    `ext_ifname=${plan.wan}`,
    // miniupnpd refuses a documentation-range address on its WAN (or in ext_ip) as "reserved", which the lab's all
    // are, but takes the address a STUN server reports: the router's own responder reports it as it is
    'ext_perform_stun=yes',
    `ext_stun_host=${plan.publicAddress}`,
    `ext_stun_port=${STUN_PORT}`,
    `listening_ip=${plan.lan}`,
    `http_port=${MINIUPNPD_HTTP_PORT}`,
    'enable_upnp=yes',
    'enable_natpmp=no',
    'secure_mode=yes',
    'system_uptime=yes',
    `upnp_table_name=${TABLE}`,
    `upnp_nat_table_name=${TABLE}`,
    'upnp_forward_chain=miniupnpd',
    'upnp_nat_chain=prerouting_miniupnpd',
    'upnp_nat_postrouting_chain=postrouting_miniupnpd',
    `uuid=${uuidFor(ns)}`,
    `allow 1024-65535 ${plan.lanCidr} 1024-65535`,
    'deny 0-65535 0.0.0.0/0 0-65535',
    ''
  ].join('\n'))
  const child = spawnDetached(ns, ['miniupnpd', '-f', conf, '-d', '-P', join(tmpdir(), `${ns}-miniupnpd.pid`)])
  let log = ''
  child.stderr.on('data', (chunk: Buffer) => { log = (log + chunk.toString()).slice(-4096) })
  try {
    // it answers once its STUN check is done and its HTTP port is open
    await waitUntil(async () => listening(ns, MINIUPNPD_HTTP_PORT), exitOf(child), 'miniupnpd', () => log)
  } finally {
    await rm(conf, { force: true })
  }
  // its log is wanted only until it runs; a full pipe must not stall it
  child.stderr.removeAllListeners('data')
  child.stderr.resume()
}

function exitOf (child: ChildProcessByStdio<null, null, Readable>): Promise<number | null> {
  return new Promise(resolve => child.once('exit', resolve))
}

/** A process in namespace `ns`, killed with the lab (its teardown kills every process of its namespaces). */
function spawnDetached (ns: string, command: string[]): ChildProcessByStdio<null, null, Readable> {
  const child = spawn('ip', ['netns', 'exec', ns, ...command], { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
  child.unref()
  // neither the process nor its log pipe keeps the test's process alive
  ;(child.stderr as any).unref?.()
  return child
}

/** Whether a socket of namespace `ns` listens on `port` (`udp`: is bound to it). */
async function listening (ns: string, port: number, udp = false): Promise<boolean> {
  const { stdout } = await run('ip', ['netns', 'exec', ns, 'ss', udp ? '-Hlun' : '-Hltn', `sport = :${port}`], { encoding: 'utf8' })
  return stdout.trim() !== ''
}

/** Waits until `ready` holds, or throws when `exited` settles first or after START_TIMEOUT_MS. */
async function waitUntil (ready: () => Promise<boolean>, exited: Promise<number | null>, what: string, log: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  while (!(await ready())) {
    const code = await Promise.race([exited, new Promise<undefined>(resolve => setTimeout(resolve, 100))])
    if (code !== undefined) throw new Error(`${what} exited (${String(code)}): ${log().trim()}`)
    if (Date.now() > deadline) throw new Error(`${what} did not answer within ${START_TIMEOUT_MS} ms: ${log().trim()}`)
  }
}

async function nft (ns: string, ...args: string[]): Promise<void> {
  await run('ip', ['netns', 'exec', ns, 'nft', ...args])
}

/** A stable UUID for the router: the device's identity in SSDP. */
function uuidFor (ns: string): string {
  const hex = createHash('sha256').update(ns).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}
