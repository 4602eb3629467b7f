import { PeerhiveError } from './errors.js'

/** The oldest Node.js major version peerhive runs on (js-libp2p v3 and node:sqlite need 22). */
export const MIN_NODE_MAJOR = 22

export class UnsupportedNodeError extends PeerhiveError {
  constructor (message: string) { super(message, 'UnsupportedNodeError') }
}

/** Throws UnsupportedNodeError, with what to do, when `version` (e.g. "20.20.2") is older than MIN_NODE_MAJOR. */
export function assertSupportedNode (version: string = process.versions.node): void {
  const major = Number(version.split('.')[0])
  if (major >= MIN_NODE_MAJOR) return
  throw new UnsupportedNodeError(
    `peerhive needs Node.js ${MIN_NODE_MAJOR} or newer (this is v${version}). ` +
    'Run your program with Node 22+: the peerhive package installs a Node 24 binary in node_modules/.bin, ' +
    'which `npx node app.js` and npm scripts use; or install Node 22+ (https://nodejs.org)'
  )
}
