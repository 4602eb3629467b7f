import type { Multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'

/** Socket error codes, in words. */
const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (yet)'
}

/** The longest reason kept from an error's text: a bootstrap's refusal comes from the network and goes to a console. */
const MAX_TEXT = 300

/**
 * Why a join failed, in words a person can act on. The text is stable across
 * retries of one cause (no times, no counters), so that a console can print
 * it once and again only when it changes.
 *
 * @param bootstrap the --bootstrap multiaddr, ending with /p2p/<expected>
 */
export function describeJoinFailure (err: any, bootstrap: Multiaddr, expected: PeerId, timeoutMs: number): string {
  const where = bootstrap.decapsulateCode(421).toString()
  // a stream that closes under a read rejects with its close event, not an Error
  if (err?.type === 'close' && err?.message == null) return `the connection to ${where} closed during the join${err?.error?.message != null ? ` (${printable(String(err.error.message).split('\n')[0])})` : ''}`
  // one line (a libp2p error's text may hold stacks), no terminal control characters, bounded
  const message = printable(String(err?.message ?? err).split('\n')[0])
  // Noise checks the PeerId; the upgrader rethrows its UnexpectedPeerError as an EncryptionFailedError with the same text
  const other = /Payload identity key (\S+) does not match expected remote identity key/.exec(message)?.[1]
  if (other != null) return `the node at ${where} is ${other}, not the ${expected.toString()} named in --bootstrap`
  if (err?.name === 'UnexpectedPeerError') return `the node at ${where} is not the ${expected.toString()} named in --bootstrap`
  const code = typeof err?.code === 'string' ? err.code : /\b(E[A-Z_]{3,})\b/.exec(message)?.[1]
  if (code != null && SOCKET_ERRORS[code] != null) return `${SOCKET_ERRORS[code]} (${where})`
  switch (err?.name) {
    case 'TimeoutError': return `no answer within ${Math.round(timeoutMs / 1000)} s (${where})`
    case 'EncryptionFailedError': return `the secure handshake with ${where} failed (is it a libp2p node?)`
    case 'UnsupportedProtocolError': return `the node at ${where} is not a peerhive bootstrap (it does not speak the join protocol)`
    case 'NoValidAddressesError': return `this node cannot dial ${where} (it dials TCP only)`
    case 'JoinRejectedError': return message
  }
  return `${message} (${where})`
}

function printable (text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
  return clean.length > MAX_TEXT ? clean.slice(0, MAX_TEXT) + '…' : clean
}
