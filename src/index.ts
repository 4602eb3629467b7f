/**
 * peerhive: a peer-to-peer node on js-libp2p. Peers of one subnet elect a
 * virtual server; the bootstrap is the central server.
 *
 * @example
 * ```ts
 * import { createBootstrap, createNode } from 'peerhive'
 * const bootstrap = await createBootstrap({ dataDir: './boot', listen: ['/ip4/127.0.0.1/tcp/4001'] })
 * const node = await createNode({ bootstrap: bootstrap.multiaddrs()[0], listen: ['/ip4/127.0.9.1/tcp/0'] })
 * console.log(await node.waitForPlacement())
 * ```
 */
export { createNode, PeerhiveNode } from './node.js'
export type { PeerhiveNodeEvents } from './node.js'
export type { NodeOptions } from './options.js'
export type { NodeStatus } from './status.js'
export type { Placement, PeerRole } from './topology/index.js'
export type { SearchOptions, SearchResult, SearchTier, SharedFile, ShareMeta, IndexEntry } from './sharing/index.js'
export { createBootstrap, Bootstrap } from '../bootstrap/index.js'
export type { BootstrapOptions, SubnetView } from '../bootstrap/index.js'
export {
  PeerhiveError, InvalidOptionError, JoinRejectedError, MalformedMessageError, MessageTooLargeError,
  UnsupportedVersionError, RateLimitedError, SubnetMismatchError, NoDaemonError,
  PROTOCOL_JOIN, ASSIGNMENT_TOPIC_PREFIX, DHT_PROTOCOL
} from './core/index.js'
