/**
 * A circuit relay for peers behind NAT (issue 11), run by the bootstrap and
 * by publicly reachable peers that offer one (`--relay-slots`). A peer that
 * learns from its join that a router hides it reserves a slot on the relays
 * the bootstrap names; others then reach it through them. What a relay
 * carries is its operator's choice: by default each relayed connection is
 * limited (libp2p marks it so), and only small exchanges such as searches
 * run over it; file and unit data need a direct connection. With `bulk`,
 * relayed connections carry everything.
 */
import { Counter, Gauge } from 'prom-client'
import { DEFAULT_RELAY_CONNECTION_BYTES, DEFAULT_RELAY_CONNECTION_MS, DEFAULT_RELAY_SLOTS } from './constants.js'
import { InvalidOptionError } from './errors.js'
import type { PeerhiveMetrics } from './metrics.js'
import type { CircuitRelayServerInit, CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Stream } from '@libp2p/interface'

export interface RelayOptions {
  /**
   * Peers behind NAT the relay holds a slot for at once. 0 turns the relay
   * off.
   * @default 1024 (the bootstrap's)
   */
  slots?: number
  /**
   * Relay file and unit data too: relayed connections get no limit.
   * @default false
   */
  bulk?: boolean
  /**
   * Without `bulk`: bytes one relayed connection may carry, both ways
   * together, before the relay closes it (a new one can open).
   * @default 131072 (libp2p's default)
   */
  connectionBytes?: number
  /**
   * Without `bulk`: how long one relayed connection may stay open, in ms.
   * @default 120000 (libp2p's default)
   */
  connectionMs?: number
}

/** a reservation lasts this long; the peer renews it before it ends */
const RESERVATION_TTL_MS = 60 * 60_000

/** The relay service's settings for `options`, or undefined when the operator turned it off. */
export function relayServerInit (options: RelayOptions = {}): CircuitRelayServerInit | undefined {
  const slots = options.slots ?? DEFAULT_RELAY_SLOTS
  const whole = (n: number, what: string, min: number): number => {
    if (!Number.isInteger(n) || n < min) throw new InvalidOptionError(`${what} must be an integer >= ${min}, got ${n}`)
    return n
  }
  whole(slots, 'relay slots (--relay-slots)', 0)
  const bytes = whole(options.connectionBytes ?? DEFAULT_RELAY_CONNECTION_BYTES, 'relayed bytes per connection (--relay-kb)', 1)
  const ms = whole(options.connectionMs ?? DEFAULT_RELAY_CONNECTION_MS, 'relayed connection time (--relay-seconds)', 1)
  if (slots === 0) return undefined
  return {
    reservations: {
      maxReservations: slots,
      reservationTtl: RESERVATION_TTL_MS,
      applyDefaultLimit: options.bulk !== true,
      defaultDataLimit: BigInt(bytes),
      defaultDurationLimit: ms
    },
    maxInboundHopStreams: 64,
    maxOutboundStopStreams: 256
  }
}

/** The relay service's step that opens the stream to the peer behind NAT, one per relayed connection (not in its public API). */
interface RelayInternals {
  stopHop: (args: unknown, options: unknown) => Promise<Stream | undefined>
}

/**
 * Prometheus figures of the relay: slots held, reservations and relayed
 * connections made, and the bytes relayed. The bytes are counted on the
 * stream to the peer behind NAT, which carries each relayed connection's
 * bytes both ways.
 */
export function registerRelayMetrics (metrics: PeerhiveMetrics, relay: CircuitRelayService): void {
  const registry = metrics.registry
  if (registry.getSingleMetric('peerhive_relay_slots') != null) return
  const reservations = new Counter({ name: 'peerhive_relay_reservations_total', help: 'Relay slots reserved or renewed by peers behind NAT', registers: [registry] })
  const connections = new Counter({ name: 'peerhive_relay_connections_total', help: 'Connections relayed to a peer behind NAT', registers: [registry] })
  const relayed = new Counter({ name: 'peerhive_relayed_bytes_total', help: 'Bytes the relay carried, by direction (to or from the peer the relayed connection was dialled to)', labelNames: ['direction'], registers: [registry] })
  // eslint-disable-next-line no-new
  new Gauge({
    name: 'peerhive_relay_slots',
    help: 'Relay slots held now by peers behind NAT',
    registers: [registry],
    collect () { this.set(relay.reservations.size) }
  })
  relay.addEventListener('relay:reservation', () => { reservations.inc() })
  const inner = relay as unknown as RelayInternals
  const stopHop = inner.stopHop.bind(relay)
  inner.stopHop = async (args, options) => {
    const stream = await stopHop(args, options)
    if (stream != null) {
      connections.inc()
      stream.addEventListener('message', evt => { relayed.inc({ direction: 'from-peer' }, evt.data.byteLength) })
      const send = stream.send.bind(stream)
      stream.send = data => {
        relayed.inc({ direction: 'to-peer' }, data.byteLength)
        return send(data)
      }
    }
    return stream
  }
}
