/**
 * How the DHT checks that a routing-table contact is alive. kad-dht pings
 * every new contact before it adds it, and those contacts are nearly always
 * servers that answered one of our queries a moment ago. By the time the
 * routing-table queue gets to them the connection budget has often closed
 * the connection, so the ping dialed the server again: at 400 peers, about half of
 * the connections members opened carried nothing but that ping. A contact
 * we are connected to, or were connected to within CONTACT_FRESH_MS, is
 * alive without a dial; any other is pinged as before.
 */
import type { Ping } from '@libp2p/ping'
import type { AbortOptions, Connection, Libp2pEvents, PeerId, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

/** A connection that closed this recently still vouches for its peer (kad-dht's own contacts live 10 minutes between checks). */
export const CONTACT_FRESH_MS = 60_000
/** Peers remembered at once; the oldest are forgotten first. */
const MAX_REMEMBERED = 4_096

interface CheckComponents {
  ping: Ping
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
}

export class ContactCheck implements Ping {
  /** peer → when its last connection closed */
  private readonly closedAt = new Map<string, number>()

  constructor (private readonly components: CheckComponents, private readonly freshMs = CONTACT_FRESH_MS) {
    components.events.addEventListener('connection:close', evt => { this.remember(evt.detail) })
  }

  /** Resolves (with 0: kad-dht only asks whether the contact answers) when the peer is known alive; else pings it. */
  async ping (peer: PeerId | any, options?: AbortOptions): Promise<number> {
    if (isPeerId(peer)) {
      if (this.components.connectionManager.getConnections(peer).length > 0) return 0
      const closed = this.closedAt.get(peer.toString())
      if (closed != null && Date.now() - closed < this.freshMs) return 0
    }
    return this.components.ping.ping(peer, options)
  }

  private remember (connection: Connection): void {
    const id = connection.remotePeer.toString()
    this.closedAt.delete(id)
    this.closedAt.set(id, Date.now())
    if (this.closedAt.size > MAX_REMEMBERED) this.closedAt.delete(this.closedAt.keys().next().value!)
  }
}

function isPeerId (value: any): value is PeerId {
  return value != null && typeof value.toMultihash === 'function' && typeof value.equals === 'function'
}

/**
 * Wraps a kad-dht factory so its routing table checks contacts with
 * ContactCheck; every other component is the node's own.
 */
export function withContactCheck<T> (factory: (components: any) => T): (components: any) => T {
  return (components: any) => {
    const check = new ContactCheck(components)
    return factory(Object.create(components, { ping: { value: check } }))
  }
}
