import { join } from 'node:path'
import { createNode, type NodeOptions, type PeerhiveNode } from '../../src/index.js'
import { createBootstrap, type Bootstrap, type BootstrapOptions } from '../../bootstrap/index.js'
import { tempDir } from './tmp-dir.js'

/** An in-process network on loopback: one bootstrap and peers in subnets 127.0.S.H. */
export class TestNetwork {
  bootstrap!: Bootstrap
  readonly nodes: PeerhiveNode[] = []
  private readonly dir = tempDir()

  get dataDir (): string {
    return this.dir.path
  }

  async startBootstrap (options: Partial<BootstrapOptions> = {}): Promise<Bootstrap> {
    this.bootstrap = await createBootstrap({
      dataDir: join(this.dir.path, 'bootstrap'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      ...options
    })
    return this.bootstrap
  }

  bootstrapAddr (): string {
    return this.bootstrap.multiaddrs()[0]
  }

  /** Starts a peer that listens (and dials) from 127.0.subnet.host. */
  async addPeer (subnet: number, host: number, options: Partial<NodeOptions> = {}): Promise<PeerhiveNode> {
    const node = await createNode({
      bootstrap: this.bootstrapAddr(),
      listen: [`/ip4/127.0.${subnet}.${host}/tcp/0`],
      ...options
    })
    this.nodes.push(node)
    return node
  }

  async stop (): Promise<void> {
    await Promise.allSettled(this.nodes.map(async n => n.stop()))
    await this.bootstrap?.stop().catch(() => {})
    this.dir.cleanup()
  }
}
