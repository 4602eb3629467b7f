export { ShareStore, FileChangedError, NotSharedError } from './share-store.js'
export type { ShareMeta, ShareStoreEvents } from './share-store.js'
export {
  Manifest, MANIFEST_VERSION, DEFAULT_PIECE_SIZE, MAX_MANIFEST_BYTES, MAX_PIECES,
  buildManifest, manifestCid, decodeManifest, pieceCount, pieceLength, pieceMatches, parseCid
} from './manifest.js'
export { FolderWatcher } from './folder-watcher.js'
export type { IndexEntry, ShareChange, SharedFile } from './types.js'
