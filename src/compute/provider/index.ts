/**
 * The provider runtime (WORK-2, WORK-5..WORK-7): HELLO with host info,
 * pull work, run units in the sandbox, deliver outputs to their owners,
 * report hashes to the bootstrap.
 */
export { ComputeProvider } from './provider.js'
export type {
  ComputeProviderInit, ComputeProviderEvents, ProviderState, ProviderStatus, RunningUnit, UnitFinished, UnitOutcome, UnitRef
} from './provider.js'
export type { ProviderFaults } from './execute.js'
export { CidCache } from './cache.js'
export type { CachedFile, CidCacheInit, FetchByCid } from './cache.js'
export { networkType, probeProviderHost, freeDiskMb, BandwidthMeter } from './host.js'
export type { NetworkType } from './host.js'
export { WorkRefusedError, ProviderRemovedError } from './errors.js'
export { workExchange } from './work-client.js'
export * from './constants.js'
