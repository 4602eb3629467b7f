import type { Libp2p } from 'libp2p'

/** A peer said to share the file (from a search result or the DHT). */
export interface ProviderInfo {
  /** the provider's PeerId */
  peerId: string
  /** its multiaddrs, without /p2p; at most 8 are used. Empty: libp2p finds the peer itself. */
  addrs: string[]
  /** the provider is in this node's own subnet: it is tried before the others */
  sameSubnet?: boolean
}

/** What one provider did in a download. */
export interface ProviderReport {
  peerId: string
  /**
   * - `supplied`: it served verified pieces and never misbehaved
   * - `unused`: it was never needed (or the download ended first)
   * - `not-found`: it does not share the CID
   * - `changed`: its copy changed on disk, so it no longer has the CID
   * - `lied`: it sent a bad piece or a bad manifest, or broke the protocol; dropped
   * - `failed`: it could not be reached, or failed or timed out too often; given up
   * - `busy`: it kept answering BUSY; given up
   */
  outcome: 'supplied' | 'unused' | 'not-found' | 'changed' | 'lied' | 'failed' | 'busy'
  /** verified pieces it supplied in this run */
  pieces: number
  /** measured round trip in ms, or undefined when the ping failed */
  rttMs?: number
  sameSubnet: boolean
  /** what went wrong, for people */
  detail?: string
}

export interface DownloadProgress {
  /** verified bytes on disk, including those of an earlier, interrupted run */
  bytes: number
  total: number
  pieces: number
  totalPieces: number
  /** PeerIds that supplied verified pieces in this run */
  sources: string[]
}

export interface DownloadOptions {
  /**
   * A started libp2p node with the ping service
   * @default none (required)
   */
  libp2p: Libp2p<any>
  /**
   * The file's CID (text or parsed)
   * @default none (required)
   */
  cid: string | { toString: () => string }
  /**
   * Peers that hold the file, with their addresses; the fastest `maxProviders` are used.
   * @default none (required; at least one)
   */
  providers: ProviderInfo[]
  /**
   * The final path; the download goes to `<outPath>.part` with a sidecar `<outPath>.part.json` until it is complete
   * @default none (required)
   */
  outPath: string
  /**
   * Aborting it stops the download with DownloadAbortedError; the part file is kept for a resume.
   * @default none
   */
  signal?: AbortSignal
  /**
   * Told the progress after each verified piece.
   * @default none
   */
  onProgress?: (progress: DownloadProgress) => void
  /**
   * Providers downloaded from at once, the nearest (lowest ping) first.
   * @default 8
   */
  maxProviders?: number
  /**
   * Request streams per provider, each with 2 requests outstanding; 16 at most over all providers.
   * @default 4
   */
  streamsPerProvider?: number
  /**
   * Bytes asked for per request (rounded down to whole pieces, 1 to 64).
   * @default 2 MiB
   */
  batchBytes?: number
  /**
   * Longest time without a byte from a provider while pieces are due (and to open a stream to it).
   * @default 10000
   */
  pieceTimeoutMs?: number
  /**
   * A provider that cannot be reached (dial refused, reset, timeout) is asked
   * again with back-off (250 ms doubling to 5 s) and given up only once it has
   * been unreachable this long, so a provider that restarts mid-download is waited for.
   * @default 120000
   */
  providerUnreachableMs?: number
}

export interface DownloadResult {
  cid: string
  /** the final path (absolute) */
  path: string
  bytes: number
  /** PeerIds that supplied verified pieces in this run, first supplier first */
  sources: string[]
  ms: number
  /** what each provider did */
  providers: ProviderReport[]
  /** pieces taken from an earlier, interrupted run */
  resumedPieces: number
}
