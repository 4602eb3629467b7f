/**
 * peerhive's peer library: a peer-to-peer node on js-libp2p. Peers of one
 * subnet elect a virtual server; the bootstrap (the central server, in
 * bootstrap/) is not part of it. The package's entry (index.ts at the top)
 * exports all of this.
 *
 * @example
 * ```ts
 * import { createNode } from 'peerhive'
 * const node = await createNode({ bootstrap: '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...', listen: ['/ip4/127.0.9.1/tcp/0'] })
 * console.log(await node.waitForPlacement())
 *
 * // volunteer computing: submit a job file, follow it, collect its outputs in unit order
 * const id = await node.compute.submit('examples/mandelbrot-job.json')
 * for await (const status of node.compute.watch(id)) console.log(status.state, status.progress)
 * await node.compute.results(id, './results') // unit-000000.stdout ..., results.json, image.png
 * ```
 */
// first: on Node < 22 it throws UnsupportedNodeError before anything that needs Node 22 runs
import './supported-node.js'
export { createNode, PeerhiveNode } from './node.js'
export type { PeerhiveNodeEvents } from './node.js'
export type { NodeOptions } from './options.js'
export type { NodeStatus } from './status.js'
export type { JoinFailure, Placement, PeerRole, DhtMode, DhtModeOption } from './topology/index.js'
export type { ForwardReport, SearchOptions, SearchResult, SearchTier, UnreachableTier, SharedFile, ShareMeta, ShareOptions, ShareReport, SkippedPath, SkipReason, IndexEntry, GetOptions, GetResult } from './sharing/index.js'
export { ForbiddenShareError, FileChangedError, NotSharedError, SearchRefusedError } from './sharing/index.js'
export { appPath } from './compute/apps/index.js'
// the providers' sandbox, to try an application locally before submitting it
export { runUnit } from './compute/sandbox/index.js'
export type { RunUnitOptions, UnitResult } from './compute/sandbox/index.js'
export { ComputeClient, InvalidJobError, JobNotFoundError, ForbiddenError, JobsRequestError, OutputUnavailableError, BootstrapUnreachableError, BootstrapNotAnsweredError, BOOTSTRAP_UNREACHABLE_MS } from './compute/index.js'
export type {
  JobInput, JobSpec, DefaultedJobField, ResolvedJob, ResolvedInput, JobState, UnitState, ReplicaState, ProviderState, JobStatus, JobResults, ProviderInfo,
  ResultsSummary, UnitResultEntry, ResultsOptions, WatchOptions, RetryOptions, RetryInfo, UnitSpecInput, ComputeClientInit, AdminRemoveResult
} from './compute/index.js'
export {
  PeerhiveError, InvalidOptionError, JoinRejectedError, MalformedMessageError, MessageTooLargeError,
  UnsupportedVersionError, RateLimitedError, SubnetMismatchError, NoDaemonError, CannotListenError, UnsupportedNodeError,
  InvalidIdentityError, DatabaseTooNewError,
  PROTOCOL_JOIN, ASSIGNMENT_TOPIC_PREFIX, DHT_PROTOCOL
} from './core/index.js'
