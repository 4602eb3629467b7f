/** Benchmark child: a bare libp2p node (TCP, Noise, Yamux) serving the echo yardstick on loopback. */
import { createBareNode, serveEcho } from './yardstick.js'
import { serveParent } from './proc.js'

const node = await createBareNode(['/ip4/127.0.0.1/tcp/0'])
await serveEcho(node)
await node.start()

serveParent({
  addr: () => node.getMultiaddrs().map(ma => ma.toString())[0],
  stop: async () => {
    await Promise.race([node.stop(), new Promise(resolve => setTimeout(resolve, 5_000))])
    return true
  }
})
