/**
 * The `peerhive demo` command's definition: what its help lists. The demo
 * itself (./index.ts) loads a whole network's code, so it is imported only
 * when the command runs, and every other command starts without it.
 */
import type { Command } from 'commander'

export const PNG_NAME = 'peerhive-demo-mandelbrot.png'

export interface DemoOptions {
  /** stop after the scripted part instead of waiting for a signal */
  exitAfterScript?: boolean
  /** keep the nodes' data in this folder (new or empty) instead of a temporary one removed at exit */
  dir?: string
  /** folder of the PNG; @default the current folder */
  out?: string
}

export function registerDemoCommand (program: Command): void {
  program.command('demo')
    .description('run a demo network on loopback: a bootstrap and 3 subnets of 4 peers that elect virtual servers, share, search, download and render a Mandelbrot image on 6 providers')
    .option('--exit-after-script', 'stop once the scripted part is done instead of waiting for Ctrl-C', false)
    .option('--dir <dir>', 'keep the nodes\' data in this folder, new or empty (default: a temporary folder, removed at exit)')
    .option('--out <dir>', `folder to write ${PNG_NAME} into (default: the current folder)`)
    .addHelpText('after', '\nExamples:\n  npm run demo\n  peerhive demo --out /tmp --exit-after-script')
    .action(async opts => {
      const { runDemo } = await import('./index.js')
      const code = await runDemo({ exitAfterScript: opts.exitAfterScript, dir: opts.dir, out: opts.out })
      process.exit(code)
    })
}
