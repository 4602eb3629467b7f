/**
 * How the DHT vets a routing-table contact. kad-dht pings every peer it
 * hears of before adding it to its table: not only the servers that answer
 * its queries, but every peer those answers name as closer (and every
 * provider they list). Each such ping to a peer this node never talked to
 * is a dial, Noise, identify and gossipsub: about 15 ms of CPU. At 250
 * peers members pinged about 5,400 peers they had never been connected to,
 * 24 each, more than half of all the connections they opened.
 *
 * So a contact is alive if the node is connected to it, or was within
 * CONTACT_FRESH_MS; any other is refused without a dial, and kad-dht leaves
 * it out (an old contact that fails the check makes room for a newer one).
 * The table then holds the servers that answered this node or connected to
 * it, as go-libp2p-kad-dht's does; lookups still learn every closer peer
 * from the answers and ask them.
 */
import type { Ping } from '@libp2p/ping'
import type { AbortOptions, Connection, Libp2pEvents, PeerId, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

/**
 * A connection that closed this recently still vouches for its peer: the
 * 10 minutes kad-dht itself trusts a contact between two checks
 * (LAST_PING_THRESHOLD in its routing table). Under load kad-dht's
 * routing-table queue reaches a contact long after the query it answered.
 */
export const CONTACT_FRESH_MS = 10 * 60_000
/** Peers remembered at once; the oldest are forgotten first. */
const MAX_REMEMBERED = 4_096

export class UnknownContactError extends Error {
  constructor (peer: PeerId) {
    super(`not connected to ${peer.toString()} in the last ${CONTACT_FRESH_MS / 60_000} minutes; not dialled just to vet it`)
    this.name = 'UnknownContactError'
  }
}

interface CheckComponents {
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
}

export class ContactCheck implements Ping {
  /** peer → when its last connection closed */
  private readonly closedAt = new Map<string, number>()

  constructor (private readonly components: CheckComponents, private readonly freshMs = CONTACT_FRESH_MS) {
    components.events.addEventListener('connection:close', evt => { this.remember(evt.detail) })
  }

  /** Resolves (with 0: kad-dht only asks whether the contact is alive) for a peer known alive; rejects for any other. */
  async ping (peer: PeerId | any, _options?: AbortOptions): Promise<number> {
    if (!isPeerId(peer)) throw new TypeError('kad-dht vets contacts by PeerId')
    if (this.components.connectionManager.getConnections(peer).length > 0) return 0
    const closed = this.closedAt.get(peer.toString())
    if (closed != null && Date.now() - closed < this.freshMs) return 0
    throw new UnknownContactError(peer)
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
 * Wraps a kad-dht factory so its routing table vets contacts with
 * ContactCheck; every other component is the node's own (the node's ping
 * service is untouched).
 */
export function withContactCheck<T> (factory: (components: any) => T): (components: any) => T {
  return (components: any) => {
    const check = new ContactCheck(components)
    return factory(Object.create(components, { ping: { value: check } }))
  }
}
