import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { CannotListenError, InvalidOptionError } from './errors.js'
import type { Libp2p } from 'libp2p'

/** What the stack's only transport (TCP) can listen on: /ip4|ip6|dns…/HOST/tcp/PORT, or a unix socket path. */
const HOSTS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6', 'dnsaddr'])
const TCP_ONLY = 'this node listens on TCP only (for example /ip4/0.0.0.0/tcp/4001)'

/**
 * Checks listen addresses before libp2p is built, so that a typo or a
 * transport the node does not run is named in one line rather than as a
 * libp2p stack trace. Binding itself (port in use, IP not on this host) is
 * only known once libp2p starts: see {@link startStack}.
 */
export function checkListenAddresses (listen: string[]): Multiaddr[] {
  return listen.map(address => {
    let ma: Multiaddr
    try {
      ma = multiaddr(address)
    } catch (err: any) {
      throw new InvalidOptionError(`cannot listen on "${address}": not a multiaddr (${err.message}); expected for example /ip4/127.0.9.1/tcp/0`)
    }
    if (!isTcpListenAddress(ma)) throw new CannotListenError([{ address, reason: TCP_ONLY }])
    return ma
  })
}

function isTcpListenAddress (ma: Multiaddr): boolean {
  const names = ma.getComponents().map(c => c.name)
  if (names[0] === 'unix') return true
  let i = 0
  if (!HOSTS.has(names[i++])) return false
  if (names[i] === 'ip6zone') i++
  if (names[i++] !== 'tcp') return false
  if (names[i] === 'p2p') i++
  return i === names.length
}

/** Starts a libp2p stack; a listen address it cannot bind becomes a {@link CannotListenError}. */
export async function startStack (libp2p: Libp2p<any>): Promise<void> {
  try {
    await libp2p.start()
  } catch (err) {
    throw listenFailure(err) ?? err
  }
}

/**
 * The CannotListenError for an error libp2p threw while starting to listen,
 * or undefined if it is some other error. libp2p reports every failed
 * address in the text of one UnsupportedListenAddressesError, as lines of
 * "  <address>: <error, with its stack>"; nothing else carries them.
 */
export function listenFailure (err: any): CannotListenError | undefined {
  if (err?.name !== 'UnsupportedListenAddressesError') return undefined
  const failures: Array<{ address: string, reason: string }> = []
  for (const line of String(err.message).split('\n')) {
    const m = /^ {2}(\/\S+): (.*)$/.exec(line)
    if (m != null) failures.push({ address: m[1], reason: listenReason(m[1], m[2]) })
  }
  if (failures.length === 0) failures.push({ address: 'the --listen addresses', reason: String(err.message).split('\n')[0] })
  return new CannotListenError(failures, { cause: err })
}

/** Turns one address's error text (a Node socket error or a libp2p error name) into words. */
export function listenReason (address: string, error: string): string {
  const code = /\b(E[A-Z]{3,})\b/.exec(error)?.[1]
  switch (code) {
    case 'EADDRINUSE': return 'the port is in use'
    case 'EADDRNOTAVAIL': return `the IP address ${hostOf(address)} is not on this host`
    case 'EACCES': return 'permission denied (ports below 1024 need privileges)'
    case 'ENOTFOUND': case 'EAI_AGAIN': return `the host name ${hostOf(address)} does not resolve`
  }
  if (error.startsWith('UnsupportedListenAddressError')) return TCP_ONLY
  return error.split('\n')[0]
}

function hostOf (address: string): string {
  try {
    return multiaddr(address).getComponents()[0]?.value ?? address
  } catch {
    return address
  }
}
