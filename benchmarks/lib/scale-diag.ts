/**
 * Diagnosis counters of the "scale" benchmark (BENCH_SCALE_DIAG=1): what the
 * hosted peers did on the network, summed over the worker. They told where
 * the load of the on mode came from (issue 9): connections by role and by
 * the first protocol opened on them, DHT requests by type and operation,
 * announce rounds and their errors, index-push failures (how long each took),
 * inbound connections libp2p accepted (most of a virtual server's never
 * finish their handshake), gossip messages by topic. Off by default: the
 * wrappers cost a little CPU.
 */
import type { PeerhiveNode } from '../../src/index.js'

export const DIAG_ENABLED = process.env.BENCH_SCALE_DIAG === '1'

const counts = new Map<string, number>()
const filterIds = new Set<string>()

export function bump (key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1)
}

/** The counts so far, largest first. */
export function diagCounts (): Record<string, number> {
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]))
}

/** Wraps the node's connections, DHT and sharing parts with counters (a no-op unless BENCH_SCALE_DIAG=1). */
export function watchNode (node: PeerhiveNode): void {
  if (!DIAG_ENABLED) return
  const role = (): string => node.topology.placement().role
  const libp2p: any = node.libp2p
  libp2p.addEventListener('connection:open', (evt: any) => countStreams(node, evt.detail, role()))
  libp2p.addEventListener('connection:close', (evt: any) => countClose(node, evt.detail, role()))
  timeJoinPhases(node)
  const dht = libp2p.services.dht
  const network = dht.network
  if (network != null) {
    const send = network.sendRequest.bind(network)
    network.sendRequest = (to: unknown, msg: any, options: unknown) => {
      bump(`kad request ${msg.type} by ${role()}`)
      return send(to, msg, options)
    }
  }
  for (const op of ['provide', 'put', 'get', 'findProviders', 'getClosestPeers']) {
    const run = dht[op].bind(dht)
    dht[op] = (...args: unknown[]) => {
      bump(`kad ${op} by ${role()}`)
      return run(...args)
    }
  }
  const check = dht.routingTable?.components?.ping
  if (check != null) {
    const verify = check.ping.bind(check)
    check.ping = async (peer: any, options: unknown) => {
      bump(`DHT contact check by ${role()}: ${libp2p.getConnections(peer).length > 0 ? 'connected' : 'not connected'}`)
      return verify(peer, options)
    }
  }
  const pingService = libp2p.services.ping
  const pingPeer = pingService.ping.bind(pingService)
  pingService.ping = async (peer: any, options: unknown) => {
    bump(`ping service call by ${role()}: ${libp2p.getConnections(peer).length > 0 ? 'connected' : 'not connected'}`)
    return pingPeer(peer, options)
  }
  const sharing: any = node.sharing
  sharing.announcer?.addEventListener('announced', (evt: any) => {
    const r = evt.detail
    bump(`announce round (${r.full ? 'full' : 'change'}) by ${role()}: ${r.failed > 0 ? 'failed' : r.noPeers ? 'no DHT peers' : 'ok'}`)
  })
  wrapLog(sharing.announcer, (format, args) => {
    if (format.startsWith('could not announce')) bump(`announce error ${errorText(args[1])}`)
  })
  wrapPush(sharing.sync, libp2p)
  wrapAccept(libp2p.components?.connectionManager, role)
  wrapLog(sharing.sync, (format, args) => {
    if (format.startsWith('index update to')) bump(`index push error ${errorText(args[2])}`)
  })
  libp2p.services.pubsub.addEventListener('gossipsub:message', (evt: any) => {
    const msg = evt.detail.msg
    bump(`gossip message on ${String(msg.topic).replace(/\/[0-9./]+$/, '/…')}`)
    if (msg.topic === '/peerhive/filters/1') {
      const id = `${String(msg.from)}:${String(msg.sequenceNumber)}`
      if (!filterIds.has(id)) {
        filterIds.add(id)
        bump('distinct filters seen by the worker')
      }
    }
  })
}

/** Who the other end of `conn` is to `node`. */
function otherEnd (node: PeerhiveNode, conn: any): string {
  const place = node.topology.placement()
  const remote = conn.remotePeer.toString()
  return conn.remotePeer.equals(node.topology.bootstrapId) ? 'the bootstrap' : remote === place.virtualServer ? 'its virtual server' : place.members.includes(remote) ? 'its member' : 'another peer'
}

function countClose (node: PeerhiveNode, conn: any, role: string): void {
  const age = Date.now() - (conn.timeline?.open ?? Date.now())
  bump(`closed ${conn.direction} connection of a ${role} with ${otherEnd(node, conn)} after ${msBucket(age)}`)
}

function countStreams (node: PeerhiveNode, conn: any, role: string): void {
  const tag = `${conn.direction} connection of a ${role} with ${otherEnd(node, conn)}`
  bump(tag)
  let first = true
  const open = conn.newStream.bind(conn)
  conn.newStream = async (protocols: string | string[], options: unknown) => {
    const protocol = Array.isArray(protocols) ? protocols[0] : protocols
    bump(`stream ${protocol}`)
    // gossipsub and identify open a stream on every connection: the first other one says what the connection was for
    if (first && !protocol.includes('/meshsub/') && !protocol.includes('/id/')) {
      first = false
      bump(`${tag}, first used for ${protocol}`)
    }
    return open(protocols, options)
  }
}

/** Calls `see` with every message the part logs (its logger is a function with .error and .trace). */
function wrapLog (part: any, see: (format: string, args: any[]) => void): void {
  const inner = part?.log
  if (inner == null) return
  const wrap = (fn: (...a: any[]) => void) => (format: unknown, ...args: any[]) => {
    if (typeof format === 'string') see(format, args)
    fn(format, ...args)
  }
  const outer: any = wrap(inner)
  Object.assign(outer, inner, { error: wrap(inner.error) })
  part.log = outer
}

function errorText (err: any): string {
  return `${String(err?.name)}: ${String(err?.message ?? '').replace(/"[^"]*"|\b[a-zA-Z0-9]{40,}\b/g, '…').slice(0, 80)}`
}

/** Times each failed index push, and says whether the node was connected to its virtual server when it failed. */
function wrapPush (sync: any, libp2p: any): void {
  if (typeof sync?.sendAll !== 'function') return
  const send = sync.sendAll.bind(sync)
  sync.sendAll = async (target: string, ...rest: unknown[]) => {
    const t0 = Date.now()
    const before = libp2p.getConnections().some((c: any) => c.remotePeer.toString() === target)
    try {
      return await send(target, ...rest)
    } catch (err) {
      const s = (Date.now() - t0) / 1000
      const after = libp2p.getConnections().some((c: any) => c.remotePeer.toString() === target)
      bump(`index push failed after ${s < 1 ? '<1' : s < 5 ? '1-5' : s < 7 ? '5-7' : s < 15 ? '7-15' : '15+'} s, connected before ${before ? 'yes' : 'no'}, after ${after ? 'yes' : 'no'}`)
      throw err
    }
  }
}

/** Counts inbound connections by role, by whether libp2p accepted them and by how many upgrades were pending then. */
function wrapAccept (manager: any, role: () => string): void {
  if (typeof manager?.acceptIncomingConnection !== 'function') return
  const accept = manager.acceptIncomingConnection.bind(manager)
  manager.acceptIncomingConnection = (maConn: unknown) => {
    const pending: number = manager.incomingPendingConnections ?? -1
    const ok = accept(maConn)
    bump(`inbound accept by ${role()}: ${ok ? 'accepted' : 'refused'} with ${pending < 3 ? pending : pending < 10 ? '3-9' : '10+'} upgrades pending`)
    return ok
  }
}

/** Where a join's time goes: from the topology's start (its first join attempt) until the connection to the bootstrap is open, then until the first placement. */
function timeJoinPhases (node: PeerhiveNode): void {
  let started = performance.now()
  const topology: any = node.topology
  const start = topology.start.bind(topology)
  topology.start = async () => {
    started = performance.now()
    return start()
  }
  let connectedAt: number | undefined
  const onOpen = (evt: any): void => {
    if (connectedAt != null || !evt.detail.remotePeer.equals(node.topology.bootstrapId)) return
    connectedAt = performance.now()
    bump(`join phase: bootstrap connection open ${msBucket(connectedAt - started)} after the first join attempt began`)
  }
  node.libp2p.addEventListener('connection:open', onOpen)
  const onPlaced = (): void => {
    node.removeEventListener('placement', onPlaced)
    node.libp2p.removeEventListener('connection:open', onOpen)
    if (connectedAt != null) bump(`join phase: placed ${msBucket(performance.now() - connectedAt)} after the bootstrap connection opened`)
  }
  node.addEventListener('placement', onPlaced)
}

function msBucket (ms: number): string {
  const edges = [100, 300, 1_000, 3_000, 10_000]
  const i = edges.findIndex(e => ms < e)
  if (i === 0) return '<100 ms'
  if (i === -1) return '10+ s'
  const f = (n: number): string => n >= 1000 ? `${n / 1000} s` : `${n} ms`
  return `${f(edges[i - 1])}-${f(edges[i])}`
}
