import { isIP } from 'node:net'

/**
 * Host headers a server answers: its own address and port, and the loopback
 * names when it is on loopback; undefined (any) when it is on a wildcard
 * address. Refusing other names is the defence against DNS rebinding: a page
 * of another site whose name resolves to 127.0.0.1 sends its own name.
 */
export function allowedHosts (asked: string, bound: string, port: number): Set<string> | undefined {
  if (bound === '0.0.0.0' || bound === '::') return undefined
  const hosts = new Set<string>()
  const add = (h: string): void => {
    const name = (isIP(h) === 6 ? `[${h}]` : h).toLowerCase()
    hosts.add(`${name}:${port}`)
    // browsers leave the default port out of Host and Origin
    if (port === 80) hosts.add(name)
  }
  add(asked)
  add(bound)
  if (bound.startsWith('127.') || bound === '::1' || asked === 'localhost') {
    add('localhost')
    add('127.0.0.1')
    add('::1')
  }
  return hosts
}

/** Whether a request's Host header is one of `allowed` (any, when undefined). */
export function hostAllowed (allowed: Set<string> | undefined, host: string | undefined): boolean {
  return allowed == null || allowed.has((host ?? '').toLowerCase())
}

/** The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 7235). */
export function bearerToken (header: string | undefined): string | undefined {
  return /^bearer +(\S+) *$/i.exec(header ?? '')?.[1]
}
