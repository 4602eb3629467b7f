/** Keeps a started node running until SIGINT or SIGTERM, then stops it cleanly. */
export async function runUntilSignal (stop: () => Promise<void>): Promise<void> {
  await new Promise<void>(resolve => {
    let stopping = false
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`second ${signal}: exiting now\n`)
        process.exit(130)
      }
      stopping = true
      process.stderr.write(`${signal}: stopping\n`)
      const force = setTimeout(() => {
        process.stderr.write('clean stop took over 10 s; exiting\n')
        process.exit(1)
      }, 10_000)
      force.unref()
      stop().then(resolve, err => {
        process.stderr.write(`error while stopping: ${err.message}\n`)
        resolve()
      })
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  })
}

/** Prints what a script needs to find a started node: its multiaddrs, one per line, then where node.json is. */
export function printStartup (kind: string, peerId: string, multiaddrs: string[], dataDir: string, extras: Record<string, string | undefined>): void {
  process.stdout.write(`peerhive ${kind} ${peerId} listening on:\n`)
  for (const ma of multiaddrs) process.stdout.write(`${ma}\n`)
  for (const [k, v] of Object.entries(extras)) if (v != null) process.stdout.write(`${k}: ${v}\n`)
  process.stdout.write(`node info: ${dataDir}/node.json\n`)
}

/** An error's stack and its causes' stacks, for DEBUG output. */
export function stackOf (err: any): string {
  let text = ''
  for (let e = err, depth = 0; e != null && depth < 5; e = e.cause, depth++) {
    text += `${depth === 0 ? '' : 'caused by: '}${String(e.stack ?? e)}\n`
  }
  return text
}
