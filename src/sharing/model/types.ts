/** What a provider's transfer server needs of its share store; ShareStore fits. */
export interface TransferStore {
  /** the encoded manifest of a shared CID, or undefined when it is not shared */
  manifestBytes: (cid: string) => Uint8Array | undefined | Promise<Uint8Array | undefined>
  /** piece `index` of a shared CID; throws NotSharedError or FileChangedError */
  readPiece: (cid: string, index: number) => Promise<Uint8Array>
}

/** What every index and search answer says of a file: the seed's columns, and the CID. */
export interface FileMeta {
  /** CID of the file's manifest (see protocols/sharing.proto) */
  cid: string
  filename: string
  /** the file's folder relative to the shared folder ("" for a file shared on its own) */
  directory: string
  size: number
  title: string
  keywords: string[]
}

/** One shared file, as the node that shares it knows it. */
export interface SharedFile extends FileMeta {
  /** where the file lies on this node's disk; never sent to other peers */
  path: string
  mtimeMs: number
}

/** What the network learns of a shared file: the seed's index columns plus the CID and its provider. */
export interface IndexEntry extends FileMeta {
  /** PeerId of the node that shares it */
  provider: string
  /** the provider's user serial at the bootstrap (seed: user_serial_id) */
  userSerialId: number
  /** the provider's user id (seed: userid) */
  userid: string
}

/** A file's index entry: its metadata only (never its path on disk), with who shares it. */
export function indexEntryOf (f: FileMeta, provider: string, userSerialId: number, userid: string): IndexEntry {
  return { cid: f.cid, filename: f.filename, directory: f.directory, size: f.size, title: f.title, keywords: f.keywords, provider, userSerialId, userid }
}

/** Changes to what a node shares, in the order they happened. */
export interface ShareChange {
  added: SharedFile[]
  removed: string[]
}
