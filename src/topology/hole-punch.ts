/**
 * A direct connection between two homes, set up over a relayed one
 * (issue 11; protocols/punch.md). js-libp2p's DCUtR gets nowhere from
 * behind NAT: a node never learns a public address it could offer (its
 * routers' mapped ports are unknown to it), and Node cannot dial from its
 * listening port. Home routers (Linux MASQUERADE among them) keep a LAN
 * port as the public port when it is free, and let in what answers a packet
 * that went out. So the two sides agree on a port each over the relay:
 *
 * 1. the dialling side (A, which opened the relayed connection) sends its
 *    router's public IPv4 address and a port it picked;
 * 2. B picks a port, answers with its router's address and that port, and
 *    at once connects from it to A's router and port: A's router drops this
 *    SYN, but B's router now expects packets from there;
 * 3. A, on the answer, connects from its port to B's router and port: B's
 *    router lets the SYN in, B's kernel, itself connecting, answers it (TCP
 *    simultaneous open), and both sides hold one TCP connection. libp2p
 *    upgrades it as outbound at A and inbound at B (coalescing-tcp.ts).
 *
 * Where a router does not keep ports (symmetric NAT), the dial fails and the
 * relayed connection stays. Either way the attempt is counted in `stats()`.
 *
 * A relayed connection from a peer with a public address of its own (a
 * public peer without DCUtR's address) needs no punch: the node behind NAT
 * dials that address back (connection reversal), which any router lets out.
 */
import { createServer, isIPv4 } from 'node:net'
import { lpStream } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import {
  PROTOCOL_PUNCH, PUNCH_ANSWERS_PER_MINUTE, PUNCH_DIAL_TIMEOUT_MS, PUNCH_EXCHANGE_TIMEOUT_MS, MAX_PUNCH_MESSAGE_BYTES, PUNCH_PEER_INTERVAL_MS, PUNCH_VERSION
} from '../protocols/punch.js'
import { isLanAddress, isRelayedAddress } from '../core/lan-addresses.js'
import { PunchMessage } from '../pb/punch.js'
import type { Reachability } from './reachability.js'
import type { ComponentLogger, Connection, IdentifyResult, Libp2pEvents, Logger, Stream, TypedEventTarget } from '@libp2p/interface'

/** What the service needs of libp2p's transport manager (not in libp2p's public API). */
export interface PunchTransports {
  listen: (addrs: Multiaddr[]) => Promise<void>
  /** with `punchResponder`, the connection is upgraded as an inbound one, and the dial resolves with nothing */
  dial: (ma: Multiaddr, options: { signal: AbortSignal, localPort: number, punchResponder?: boolean }) => Promise<Connection | undefined>
}

export interface HolePunchComponents {
  logger: ComponentLogger
  events: TypedEventTarget<Libp2pEvents>
  handle: (protocol: string, handler: (stream: Stream, connection: Connection) => void, options: { runOnLimitedConnection: boolean, maxInboundStreams: number, maxOutboundStreams: number }) => Promise<void>
  unhandle: (protocol: string) => Promise<void>
  transports: PunchTransports
  /** dials a peer at these addresses (each with /p2p/<peer>): libp2p.dial */
  dial: (addrs: Multiaddr[], options: { signal: AbortSignal }) => Promise<Connection>
  /** whether this node is behind NAT, and its router's public address as the bootstrap saw it */
  reachability: () => Reachability
  observedAddr: () => string | undefined
}

export interface HolePunchStats {
  /** punches this node started, and those that gave a direct connection */
  attempts: number
  succeeded: number
  /** punches it answered */
  answered: number
  /** relayed connections from a publicly reachable peer it turned into direct ones by dialling back */
  reversed: number
  /** how long its last successful punches took, from the relayed connection to the direct one (at most 16) */
  recentMs: number[]
  lastError?: string
}

/** A message: this router's public IPv4 address and the port this side connects from. */
export function encodePunch (ip: string, port: number): Uint8Array {
  return PunchMessage.encode({ version: PUNCH_VERSION, ip: Uint8Array.from(ip.split('.').map(Number)), port })
}

/** Reads a message; throws on anything but this version with a public IPv4 address and a port. */
export function decodePunch (bytes: Uint8Array): { ip: string, port: number } {
  let msg: PunchMessage
  try {
    msg = PunchMessage.decode(bytes)
  } catch (err: any) {
    throw new Error(`not a punch message: ${String(err.message)}`)
  }
  if (msg.version !== PUNCH_VERSION || msg.ip.length !== 4) throw new Error(`not a punch message of version ${PUNCH_VERSION} with an IPv4 address`)
  const ip = [...msg.ip].join('.')
  const port = msg.port
  if (port === 0 || port > 65_535 || ip.startsWith('127.') || ip.startsWith('0.') || isLanAddress(ip) || msg.ip[0] >= 224) throw new Error(`not a public address and port: ${ip}:${port}`)
  return { ip, port }
}

/** A TCP port free on this host now (the kernel's pick). */
async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, () => {
      const port = (server.address() as { port: number }).port
      server.close(() => { resolve(port) })
    })
  })
}

export class HolePunchService {
  private readonly log: Logger
  private readonly counts: HolePunchStats = { attempts: 0, succeeded: 0, answered: 0, reversed: 0, recentMs: [] }
  /** by PeerId: when it was last punched to or answered */
  private readonly recent = new Map<string, number>()
  private answers: number[] = []
  private running = false

  constructor (private readonly components: HolePunchComponents) {
    this.log = components.logger.forComponent('peerhive:hole-punch')
  }

  async start (): Promise<void> {
    if (this.running) return
    this.running = true
    await this.components.handle(PROTOCOL_PUNCH, (stream, connection) => { void this.answer(stream, connection) }, { runOnLimitedConnection: true, maxInboundStreams: 2, maxOutboundStreams: 2 })
    this.components.events.addEventListener('connection:open', this.onOpen)
    this.components.events.addEventListener('peer:identify', this.onIdentify)
  }

  async stop (): Promise<void> {
    this.running = false
    this.components.events.removeEventListener('connection:open', this.onOpen)
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    await this.components.unhandle(PROTOCOL_PUNCH)
  }

  stats (): HolePunchStats {
    return { ...this.counts, recentMs: [...this.counts.recentMs] }
  }

  private readonly onOpen = (evt: CustomEvent<Connection>): void => {
    const c = evt.detail
    if (c.direction !== 'outbound' || !isRelayedAddress(c.remoteAddr) || this.components.reachability() !== 'behind-nat') return
    void this.punch(c)
  }

  /** A peer that reached this node through a relay says where it listens: a public address of its own is dialled back. */
  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { connection, peerId, listenAddrs } = evt.detail
    if (connection.direction !== 'inbound' || !isRelayedAddress(connection.remoteAddr) || this.components.reachability() !== 'behind-nat') return
    const own = listenAddrs.filter(isPublicTcpAddress).slice(0, 4)
    if (own.length === 0 || this.tooSoon(peerId.toString())) return
    void this.components.dial(own.map(ma => ma.encapsulate(`/p2p/${peerId.toString()}`)), { signal: AbortSignal.timeout(PUNCH_DIAL_TIMEOUT_MS) }).then(c => {
      this.counts.reversed++
      this.log('dialled %p back directly (%a)', peerId, c.remoteAddr)
    }, err => {
      this.log('could not dial %p back directly - %e', peerId, err)
    })
  }

  /** This router's public IPv4 address, as the bootstrap saw it. */
  private publicIp (): string | undefined {
    const ip = this.components.observedAddr()?.split('/')[2]
    return ip != null && isIPv4(ip) ? ip : undefined
  }

  /** Whether `peer` was punched to or answered lately; marks it now if not. */
  private tooSoon (peer: string): boolean {
    const now = Date.now()
    if (now - (this.recent.get(peer) ?? -Infinity) < PUNCH_PEER_INTERVAL_MS) return true
    if (this.recent.size > 1_024) this.recent.delete(this.recent.keys().next().value as string)
    this.recent.set(peer, now)
    return false
  }

  /** A's side: agree on ports over the relayed connection, then dial B's router directly. */
  async punch (relayed: Connection): Promise<Connection | undefined> {
    const peer = relayed.remotePeer.toString()
    const ip = this.publicIp()
    if (!this.running || ip == null || this.tooSoon(peer)) return undefined
    this.counts.attempts++
    const started = Date.now()
    try {
      const port = await freePort()
      const signal = AbortSignal.timeout(PUNCH_EXCHANGE_TIMEOUT_MS)
      const stream = await relayed.newStream(PROTOCOL_PUNCH, { runOnLimitedConnection: true, signal })
      const lp = lpStream(stream, { maxDataLength: MAX_PUNCH_MESSAGE_BYTES })
      await lp.write(encodePunch(ip, port), { signal })
      const theirs = decodePunch((await lp.read({ signal })).subarray())
      await stream.close({ signal }).catch(() => { stream.abort(new Error('punch over')) })
      const direct = await dialWithin(PUNCH_DIAL_TIMEOUT_MS, async signal => this.components.transports.dial(multiaddr(`/ip4/${theirs.ip}/tcp/${theirs.port}/p2p/${peer}`), { signal, localPort: port }))
      this.counts.succeeded++
      this.counts.recentMs = [...this.counts.recentMs, Date.now() - started].slice(-16)
      this.log('direct connection to %s through both routers (%s)', peer, direct?.remoteAddr.toString())
      return direct
    } catch (err: any) {
      this.counts.lastError = `${String(err.name)}: ${String(err.message)}`
      this.log('no direct connection to %s - %e', peer, err)
      return undefined
    }
  }

  /** B's side: pick a port, tell A, and connect from it to A at once (A does the same on the answer). */
  private async answer (stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(PUNCH_EXCHANGE_TIMEOUT_MS)
    const peer = connection.remotePeer.toString()
    try {
      const ip = this.publicIp()
      const now = Date.now()
      this.answers = this.answers.filter(t => now - t < 60_000)
      if (!isRelayedAddress(connection.remoteAddr) || ip == null || this.answers.length >= PUNCH_ANSWERS_PER_MINUTE || this.tooSoon(peer)) {
        throw new Error('no punch now')
      }
      this.answers.push(now)
      const lp = lpStream(stream, { maxDataLength: MAX_PUNCH_MESSAGE_BYTES })
      const theirs = decodePunch((await lp.read({ signal })).subarray())
      const port = await freePort()
      await lp.write(encodePunch(ip, port), { signal })
      await stream.close({ signal }).catch(() => { stream.abort(new Error('punch over')) })
      this.counts.answered++
      await dialWithin(PUNCH_DIAL_TIMEOUT_MS, async signal => this.components.transports.dial(multiaddr(`/ip4/${theirs.ip}/tcp/${theirs.port}`), { signal, localPort: port, punchResponder: true }))
      this.log('direct connection from %s through both routers', peer)
    } catch (err: any) {
      this.log('no direct connection with %s (answering) - %e', peer, err)
      stream.abort(err)
    }
  }
}

/**
 * Runs a dial that must be over within `ms`. The signal stays with the
 * connection it opens (libp2p's TCP transport closes the socket when it
 * fires), so it is a controller's that only fires while the dial runs, not
 * a timeout's.
 */
async function dialWithin<T> (ms: number, dial: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(new Error(`no direct connection within ${ms} ms`)) }, ms)
  try {
    return await dial(controller.signal)
  } finally {
    clearTimeout(timer)
  }
}

/** An address a peer listens on that anyone may dial: TCP on a public IP, not through a relay. */
function isPublicTcpAddress (ma: Multiaddr): boolean {
  const parts = ma.getComponents()
  const ip = parts[0]?.value ?? ''
  if ((parts[0]?.name !== 'ip4' && parts[0]?.name !== 'ip6') || parts[1]?.name !== 'tcp' || isRelayedAddress(ma)) return false
  return !isLanAddress(ip) && !ip.startsWith('127.') && ip !== '::1' && !ip.startsWith('169.254.') && !/^fe80:/i.test(ip)
}

export function holePunch (): (components: HolePunchComponents) => HolePunchService {
  return components => new HolePunchService(components)
}
