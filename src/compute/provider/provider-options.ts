/**
 * Checks a provider's options (ComputeProviderInit) and fills in the
 * defaults: a bad option fails the constructor with InvalidOptionError,
 * before anything starts.
 */
import { availableParallelism } from 'node:os'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { InvalidOptionError } from '../../core/errors.js'
import { DEFAULT_MAX_MEMORY_MB } from './constants.js'
import { networkType, type NetworkType } from './host.js'
import type { ComputeProviderInit } from './provider-types.js'
import type { PeerId } from '@libp2p/interface'

export interface BootstrapTarget {
  addr: Multiaddr
  id: PeerId
  /** what kind of network the bootstrap is reached over (reported in the host info) */
  network: NetworkType
}

export function bootstrapTarget (bootstrap: ComputeProviderInit['bootstrap']): BootstrapTarget {
  let addr: Multiaddr
  try {
    addr = typeof bootstrap === 'string' ? multiaddr(bootstrap) : bootstrap
  } catch (err: any) {
    throw new InvalidOptionError(`the bootstrap address is not a multiaddr: "${String(bootstrap)}" (${err.message})`)
  }
  const id = addr.getComponents().find(c => c.name === 'p2p')?.value
  if (id == null) throw new InvalidOptionError(`the bootstrap address must end with /p2p/<bootstrap PeerId>; got "${addr.toString()}"`)
  const host = addr.getComponents().find(c => ['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(c.name))?.value ?? ''
  return { addr, id: peerIdFromString(id), network: networkType(host) }
}

export interface ProviderResources {
  cpus: number
  maxMemoryMb: number
  apps: string[]
}

export function providerResources (init: ComputeProviderInit): ProviderResources {
  const cpus = init.cpus ?? availableParallelism()
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 1024) throw new InvalidOptionError(`cpus must be an integer in 1..1024, got ${init.cpus}`)
  const maxMemoryMb = init.maxMemoryMb ?? DEFAULT_MAX_MEMORY_MB
  if (!Number.isInteger(maxMemoryMb) || maxMemoryMb < 1 || maxMemoryMb > 4096) throw new InvalidOptionError(`maxMemoryMb must be an integer in 1..4096, got ${init.maxMemoryMb}`)
  const apps = [...new Set(init.apps ?? [])]
  if (apps.length > 64) throw new InvalidOptionError(`at most 64 apps may be listed, got ${apps.length}`)
  return { cpus, maxMemoryMb, apps }
}
