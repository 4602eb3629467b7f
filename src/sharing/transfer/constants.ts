/**
 * Defaults of verified file transfer (protocols/transfer.md), and its wire
 * contract from src/protocols/transfer.ts. Options elsewhere fall back to
 * these with `??`.
 */
import { MAX_MANIFEST_BYTES } from '../model/manifest.js'
import { RESPONSE_OVERHEAD_BYTES } from '../../protocols/transfer.js'

export {
  PROTOCOL_TRANSFER, TRANSFER_VERSION, MAX_TRANSFER_REQUEST_BYTES, MAX_PIECES_PER_REQUEST, MAX_PIECE_SIZE, RESPONSE_OVERHEAD_BYTES, MAX_ERROR_MESSAGE_CHARS
} from '../../protocols/transfer.js'
export const MAX_MANIFEST_RESPONSE_BYTES = MAX_MANIFEST_BYTES + RESPONSE_OVERHEAD_BYTES

// ---- provider side

/** Transfer streams one connection may hold open at once; libp2p resets the rest. */
export const DEFAULT_MAX_INBOUND_STREAMS = 16
/** Transfer streams one peer may have in progress (over all its connections) before BUSY. */
export const DEFAULT_MAX_EXCHANGES_PER_PEER = 16
/** Transfer streams in progress, all peers together, before BUSY. */
export const DEFAULT_MAX_EXCHANGES = 64
/** Requests one peer may make per 10 s before BUSY: at 2 MiB per request, 2 GiB/s. */
export const DEFAULT_REQUESTS_PER_PEER = 10_000
/** A request must arrive this soon after the stream opens or the last answer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000
/**
 * The provider's longest wait without progress on a piece: reading it from
 * the store, or the downloader taking none of its bytes.
 */
export const DEFAULT_PIECE_TIMEOUT_MS = 30_000
/**
 * The downloader's own bound on a stall: this long without a byte while
 * pieces are due, or to open a stream. Shorter than the provider's, because
 * a home router that lost its NAT state (its link went down and came back)
 * silently drops the connection's packets until this side sends again: the
 * retry's new stream revives it, and the download goes on within seconds
 * rather than half a minute after the link returns.
 */
export const DEFAULT_STALL_TIMEOUT_MS = 10_000
/** After an error answer a provider waits this long for the downloader to close before resetting the stream. */
export const CLOSE_GRACE_MS = 5_000

// ---- downloader side

/** Providers used for one download; the best-ranked are kept. */
export const DEFAULT_MAX_PROVIDERS = 8
/** Addresses kept per provider. */
export const MAX_ADDRS_PER_PROVIDER = 8
/** Request lanes (streams) per provider, each with PIPELINE_DEPTH requests outstanding. */
export const DEFAULT_STREAMS_PER_PROVIDER = 4
/**
 * Request lanes of one download, all providers together; with many providers
 * each gets fewer (at least one). Four lanes keep 16 MiB asked for, enough
 * for a fast link with a long round trip; more streams only cost CPU (the
 * transfer benchmark: four providers went from 150 to 180 MB/s with 4 lanes
 * instead of 16).
 */
export const MAX_LANES = 4
/** Requests a lane keeps outstanding on its stream: the next batch is asked for while one arrives. */
export const PIPELINE_DEPTH = 2
/**
 * Bytes asked for in one request; with 1 MiB pieces, 2 pieces. A stream
 * buffers at most PIPELINE_DEPTH of them, so a download buffers at most
 * max(MAX_LANES, providers) x PIPELINE_DEPTH x this, plus one piece per provider.
 */
export const DEFAULT_BATCH_BYTES = 2 * 1024 * 1024
/** Round-trip probe of each provider before the download. */
export const PING_TIMEOUT_MS = 2_000
/** Opening a stream and getting the manifest. */
export const MANIFEST_TIMEOUT_MS = 10_000
/** Transport failures in a row (dial, reset, timeout) after which a provider may be given up for this download... */
export const MAX_PROVIDER_FAILURES = 3
/**
 * ...once it has also been unreachable this long: a provider that restarts
 * mid-download is waited for, asked again with back-off, rather than dropped.
 * The same bound as a job client's for the bootstrap (2 min).
 */
export const PROVIDER_UNREACHABLE_MS = 120_000
/** Back-off between two attempts at an unreachable provider: doubling from the first, up to the last, ±25 % jitter. */
export const UNREACHABLE_RETRY_MS = 250
export const MAX_UNREACHABLE_RETRY_MS = 5_000
/** BUSY answers in a row after which a provider is given up; each is followed by a growing pause. */
export const MAX_BUSY_ANSWERS = 20
export const BUSY_BACKOFF_MS = 100
export const MAX_BUSY_BACKOFF_MS = 2_000
/** The sidecar of a partial download is rewritten at most this often... */
export const SIDECAR_FLUSH_MS = 1_000
/** ...or after this many new pieces, whichever comes first. */
export const SIDECAR_FLUSH_PIECES = 64
/** A sidecar larger than this is not ours: it is discarded. */
export const MAX_SIDECAR_BYTES = 64 * 1024
/** Pieces re-checked at once when a partial download is resumed. */
export const RESUME_VERIFY_CONCURRENCY = 4
