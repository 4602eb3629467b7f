import type { ComponentLogger, Logger } from '@libp2p/interface'

const silent: Logger = Object.assign(() => {}, {
  enabled: false,
  error: () => {},
  trace: () => {},
  newScope: () => silent
})

const QUIET: ComponentLogger = { forComponent: () => silent }

/**
 * The logger libp2p is given: one that does nothing unless `DEBUG` is set
 * (the only way peerhive's and libp2p's logs are turned on, see README
 * "Logs"), else libp2p's own. libp2p makes a logger for every connection and
 * stream, two `debug` instances and a TTY check each even when logging is
 * off: about 5 % of an idle peer's CPU (issue 9).
 */
export function stackLogger (env: NodeJS.ProcessEnv = process.env): ComponentLogger | undefined {
  return env.DEBUG == null || env.DEBUG.trim() === '' ? QUIET : undefined
}
