import { PROTOCOL_SEARCH } from '../../src/core/index.js'
import type { PeerhiveNode } from '../../src/index.js'

/**
 * Makes `node` accept search streams and never answer, as a hung process
 * would. Search sessions already open to it are reset too: otherwise an
 * asker's idle stream would still reach the old handler.
 */
export async function hangSearchServer (node: PeerhiveNode): Promise<void> {
  await node.libp2p.unhandle(PROTOCOL_SEARCH)
  await node.libp2p.handle(PROTOCOL_SEARCH, () => {})
  for (const connection of node.libp2p.getConnections()) {
    for (const stream of connection.streams) {
      if (stream.protocol === PROTOCOL_SEARCH) stream.abort(new Error('the search server hung'))
    }
  }
}

/** Undoes hangSearchServer: the node's own search server answers again. */
export async function resumeSearchServer (node: PeerhiveNode): Promise<void> {
  await node.libp2p.unhandle(PROTOCOL_SEARCH)
  await (node.sharing as any).searchServer.start()
}
