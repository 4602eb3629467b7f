/** One shared file, as the node that shares it knows it. */
export interface SharedFile {
  /** CID of the file's manifest (see protocols/sharing.proto) */
  cid: string
  /** where the file lies on this node's disk; never sent to other peers */
  path: string
  filename: string
  /** the file's folder relative to the shared folder ("" for a file shared on its own) */
  directory: string
  size: number
  title: string
  keywords: string[]
  mtimeMs: number
}

/** What the network learns of a shared file: the seed's index columns plus the CID and its provider. */
export interface IndexEntry {
  cid: string
  filename: string
  directory: string
  size: number
  title: string
  keywords: string[]
  /** PeerId of the node that shares it */
  provider: string
  /** the provider's user serial at the bootstrap (seed: user_serial_id) */
  userSerialId: number
  /** the provider's user id (seed: userid) */
  userid: string
}

/** Changes to what a node shares, in the order they happened. */
export interface ShareChange {
  added: SharedFile[]
  removed: string[]
}
