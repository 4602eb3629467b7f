/**
 * The package's entry, `peerhive`: the peer library (src/). It also exports
 * createBootstrap, as it did before the bootstrap had an entry of its own,
 * so code written then still runs; new code imports the bootstrap from
 * `peerhive/bootstrap`.
 *
 * @example
 * ```ts
 * import { createNode } from 'peerhive'
 * import { createBootstrap } from 'peerhive/bootstrap'
 * const bootstrap = await createBootstrap({ dataDir: './boot', listen: ['/ip4/127.0.0.1/tcp/4001'] })
 * const node = await createNode({ bootstrap: bootstrap.multiaddrs()[0], listen: ['/ip4/127.0.9.1/tcp/0'] })
 * console.log(await node.waitForPlacement())
 * ```
 */
// first, as src/index.ts runs the Node version check before anything else
export * from './src/index.js'
export { createBootstrap, Bootstrap } from './bootstrap/index.js'
export type { BootstrapOptions, SubnetView } from './bootstrap/index.js'
