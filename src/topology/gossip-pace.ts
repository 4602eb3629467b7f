/**
 * The gossipsub heartbeat follows the role (issue 9, idle cost). The
 * heartbeat keeps topic meshes and sends gossip about recent messages; it
 * runs every second on every node by default, with or without traffic.
 * Virtual servers relay each other's keyword filters through their meshes
 * and keep gossipsub's pace. Members, central clients and joining nodes only
 * receive: the bootstrap floodPublishes their tables straight to them, and
 * the assignment push repeats what they missed, so they beat every
 * PEER_GOSSIP_HEARTBEAT_MS. On 100 idle peers linked to one hub, that cut
 * their CPU from 0.29 to 0.22 ms per peer per second.
 */
import type { Placement, PeerRole } from './topology-client.js'
import type { RoleComponents } from './role-components.js'

/** gossipsub's own heartbeat (GossipsubHeartbeatInterval) */
export const SERVER_GOSSIP_HEARTBEAT_MS = 1_000
export const PEER_GOSSIP_HEARTBEAT_MS = 5_000

/** The heartbeat a node of `role` runs. */
export function gossipHeartbeatFor (role: PeerRole): number {
  return role === 'virtual-server' ? SERVER_GOSSIP_HEARTBEAT_MS : PEER_GOSSIP_HEARTBEAT_MS
}

/** gossipsub's options (not in its types); it reads heartbeatInterval again before each next heartbeat. */
interface PacedGossip { opts?: { heartbeatInterval?: number } }

export type GossipPaceComponents = Pick<RoleComponents, 'placements' | 'pubsub'>

export class GossipPace {
  private running = false

  constructor (private readonly components: GossipPaceComponents) {}

  /** The heartbeat interval the node runs now (ms), if gossipsub exposes it. */
  heartbeatMs (): number | undefined {
    return this.gossip().opts?.heartbeatInterval
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.components.placements.addEventListener('placement', this.onPlacement)
    this.follow(this.components.placements.placement().role)
  }

  stop (): void {
    this.running = false
    this.components.placements.removeEventListener('placement', this.onPlacement)
  }

  private readonly onPlacement = (evt: CustomEvent<Placement>): void => {
    this.follow(evt.detail.role)
  }

  private follow (role: PeerRole): void {
    const opts = this.gossip().opts
    // a gossipsub without this field keeps its own pace (test/integration/gossip-pace.spec.ts notices the change)
    if (opts == null || typeof opts.heartbeatInterval !== 'number') return
    opts.heartbeatInterval = gossipHeartbeatFor(role)
  }

  private gossip (): PacedGossip {
    return (this.components.pubsub ?? {}) as PacedGossip
  }
}

export function gossipPace (): (components: GossipPaceComponents) => GossipPace {
  return components => new GossipPace(components)
}
