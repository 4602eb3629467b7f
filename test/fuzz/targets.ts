import {
  DHT_PROTOCOL, DIRECTORY_TOPIC, MAX_INDEX_UPDATE_BYTES, MAX_JOIN_REQUEST_BYTES, MAX_SEARCH_REQUEST_BYTES, MAX_TABLE_BYTES,
  PROTOCOL_ASSIGNMENT, PROTOCOL_INDEX, PROTOCOL_JOIN, PROTOCOL_SEARCH, PROTOCOL_TRANSFER, PROTOCOL_UNIT_OUTPUT,
  WIRE_VERSION, AssignmentAck, Directory, JoinRequest, JoinResponse, SubnetTable, assignmentTopic
} from '../../src/core/index.js'
import { IndexAck, IndexUpdate } from '../../src/pb/file-index.js'
import { FilterAck, FilterRelay, KeywordFilter as KeywordFilterMessage } from '../../src/pb/filters.js'
import { JobsRequest, JobsResponse } from '../../src/pb/jobs.js'
import { SearchRequest, SearchResponse } from '../../src/pb/search.js'
import { TransferRequest, TransferResponse } from '../../src/pb/transfer.js'
import { OutputRequest, OutputResponse } from '../../src/pb/unit-output.js'
import { ReplicaResult, WorkRequest, WorkResponse } from '../../src/pb/work.js'
import {
  MAX_FILTER_MESSAGE_BYTES, MAX_FILTER_RELAY_BYTES, MAX_JOBS_REQUEST_BYTES, MAX_WORK_REQUEST_BYTES, PROTOCOL_FILTER, PROTOCOL_FILTER_RELAY, PROTOCOL_JOBS, PROTOCOL_WORK
} from '../../src/protocols/index.js'
import { MAX_TRANSFER_REQUEST_BYTES } from '../../src/sharing/transfer/constants.js'
import { MAX_OUTPUT_MESSAGE_BYTES } from '../../src/compute/outputs/constants.js'
import { concat } from './strategies.js'
import { varint } from '../helpers/raw-join.js'
import type { Prng } from './prng.js'
import type { Uint8ArrayList } from 'uint8arraylist'

/** What the targets need to know of the network under test (test/fuzz/network.ts). */
export interface FuzzContext {
  bootstrapAddr: string
  virtualServerAddr: string
  memberAddr: string
  /** the subnet of the victims, 127.0.S.0/24 */
  victimSubnet: string
  victimIds: string[]
  /** CID of the file the member shares, and a keyword of it */
  sharedCid: string
  sharedKeyword: string
}

/** A protocol at one node: the fuzzer opens streams of `protocol` to `at`. */
export interface StreamTarget {
  kind: 'stream'
  name: string
  protocol: string
  at: (ctx: FuzzContext) => string
  /** the largest request the target accepts: "huge" prefixes start just past it */
  maxRequestBytes: number
  /** a valid request, unframed, built with the real codec and varied by `rng` */
  valid: (rng: Prng, ctx: FuzzContext) => Uint8Array
  /** decodes an answer; a node's answer that does not decode is a finding */
  decode: (buf: Uint8Array | Uint8ArrayList) => any
  /** the error code of an answer, for the figures */
  code: (answer: any) => string
  /** the request of the health check, sent from a client that does not fuzz; undefined: the check is a ping */
  probe?: (ctx: FuzzContext) => Uint8Array
  /** whether the probe's answer is what a healthy node says */
  healthy?: (answer: any, ctx: FuzzContext) => boolean
}

/** A gossipsub topic of the bootstrap's: the fuzzer publishes on it, signed with its own key. */
export interface TopicTarget {
  kind: 'topic'
  name: string
  topic: (ctx: FuzzContext) => string
  maxRequestBytes: number
  valid: (rng: Prng, ctx: FuzzContext) => Uint8Array
}

export type Target = StreamTarget | TopicTarget

/** A value of a protons enum (its namespace also carries a `codec` function). */
function pickEnum<E extends object> (rng: Prng, e: E): Extract<E[keyof E], string> {
  return rng.pick(Object.values(e).filter(v => typeof v === 'string')) as Extract<E[keyof E], string>
}

const version = (rng: Prng): number => rng.chance(0.9) ? WIRE_VERSION : rng.pick([0, 2, 0xffffffff])

function fakeCid (rng: Prng): string {
  return `bafk${rng.word(20, 56)}`
}

function fakePeerId (rng: Prng, ctx: FuzzContext): string {
  return rng.chance(0.5) ? rng.pick(ctx.victimIds) : `12D3KooW${rng.word(44, 44)}`
}

function tableOf (rng: Prng, ctx: FuzzContext): SubnetTable {
  const members = ctx.victimIds.filter(() => rng.chance(0.7))
  return {
    version: version(rng),
    seq: rng.pick([rng.int(1000), Number.MAX_SAFE_INTEGER, 0]),
    subnet: rng.chance(0.8) ? ctx.victimSubnet : `127.0.${rng.int(256)}.0/24`,
    issuedAt: Date.now(),
    servers: [{ peerId: fakePeerId(rng, ctx), addrs: [`/ip4/127.0.0.1/tcp/${rng.range(1, 65535)}`], members, limit: rng.range(0, 16) }],
    centralClients: ctx.victimIds.filter(() => rng.chance(0.3))
  }
}

/** /peerhive/kad/1.0.0 Message (kad-dht's own codec is not exported): type, key, clusterLevelRaw. */
function kadMessage (type: number, key: Uint8Array): Uint8Array {
  return concat(Uint8Array.from([0x08, type]), Uint8Array.from([0x12]), varint(key.byteLength), key, Uint8Array.from([0x50, 0x00]))
}

/** A KeywordFilter message, valid or at the edges of its limits. */
function keywordFilterOf (rng: Prng): Uint8Array<ArrayBuffer> {
  return KeywordFilterMessage.encode({
    version: rng.chance(0.9) ? 1 : rng.pick([0, 2]),
    seq: rng.pick([1, rng.int(1e9), Number.MAX_SAFE_INTEGER, 0]),
    issuedAt: Date.now(),
    hashes: rng.pick([0, 1, 7, 16, 17]),
    bits: rng.bytes(rng.pick([0, 63, 64, rng.range(64, 2048)])),
    elements: rng.int(1e6)
  })
}

const rawAnswer = {
  decode: (buf: Uint8Array | Uint8ArrayList) => buf.subarray(),
  code: () => 'ANSWER'
}

export const TARGETS: Target[] = [
  {
    kind: 'stream',
    name: 'join@bootstrap',
    protocol: PROTOCOL_JOIN,
    at: ctx => ctx.bootstrapAddr,
    maxRequestBytes: MAX_JOIN_REQUEST_BYTES,
    valid: (rng, ctx) => JoinRequest.encode({
      version: version(rng),
      listenAddrs: Array.from({ length: rng.int(4) }, () => `/ip4/127.0.211.${rng.int(256)}/tcp/${rng.range(1, 65535)}`),
      host: { cpus: rng.range(0, 64), memoryMb: rng.int(1 << 20), uptimeMs: rng.int(1e9), platform: rng.word() },
      claimedSubnet: rng.chance(0.8) ? '' : rng.pick([ctx.victimSubnet, '127.0.211.0/24', rng.word()])
    }),
    decode: buf => JoinResponse.decode(buf),
    code: (a: JoinResponse) => a.error,
    probe: () => JoinRequest.encode({ version: WIRE_VERSION, listenAddrs: [], host: { cpus: 1, memoryMb: 512, uptimeMs: 1, platform: 'probe' }, claimedSubnet: '' }),
    healthy: (a: JoinResponse) => a.error === 'NONE' || a.error === 'RATE_LIMITED'
  },
  {
    kind: 'stream',
    name: 'assignment@member',
    protocol: PROTOCOL_ASSIGNMENT,
    at: ctx => ctx.memberAddr,
    maxRequestBytes: MAX_TABLE_BYTES,
    valid: (rng, ctx) => SubnetTable.encode(tableOf(rng, ctx)),
    decode: buf => AssignmentAck.decode(buf),
    code: () => 'ACK'
    // only the bootstrap may push: every stream of the fuzzer is refused, the health check is a ping
  },
  ...(['virtual-server', 'bootstrap'] as const).map((where): StreamTarget => ({
    kind: 'stream',
    name: `index@${where}`,
    protocol: PROTOCOL_INDEX,
    at: ctx => where === 'bootstrap' ? ctx.bootstrapAddr : ctx.virtualServerAddr,
    maxRequestBytes: MAX_INDEX_UPDATE_BYTES,
    valid: (rng, ctx) => IndexUpdate.encode({
      version: version(rng),
      reset: rng.chance(0.3),
      added: Array.from({ length: rng.int(6) }, () => ({
        cid: rng.chance(0.2) ? ctx.sharedCid : fakeCid(rng),
        filename: `${rng.word()}.txt`,
        directory: rng.chance(0.5) ? '' : rng.word(),
        size: rng.int(1e9),
        title: rng.chance(0.5) ? '' : rng.word(1, 40),
        keywords: Array.from({ length: rng.int(5) }, () => rng.word()),
        userSerialId: rng.int(100),
        userid: rng.word()
      })),
      removed: Array.from({ length: rng.int(3) }, () => rng.chance(0.5) ? ctx.sharedCid : fakeCid(rng))
    }),
    decode: buf => IndexAck.decode(buf),
    code: (a: IndexAck) => a.error,
    probe: () => IndexUpdate.encode({ version: WIRE_VERSION, reset: false, added: [], removed: [] }),
    // the prober is no member of anyone's group: a healthy node says so
    healthy: (a: IndexAck) => a.error === 'NOT_YOUR_SERVER'
  })),
  ...(['virtual-server', 'bootstrap'] as const).map((where): StreamTarget => ({
    kind: 'stream',
    name: `search@${where}`,
    protocol: PROTOCOL_SEARCH,
    at: ctx => where === 'bootstrap' ? ctx.bootstrapAddr : ctx.virtualServerAddr,
    maxRequestBytes: MAX_SEARCH_REQUEST_BYTES,
    valid: (rng, ctx) => SearchRequest.encode({
      version: version(rng),
      words: Array.from({ length: rng.range(0, 4) }, () => rng.chance(0.3) ? ctx.sharedKeyword : rng.word()),
      limit: rng.pick([0, 1, 10, 256, 0xffffffff]),
      wantServers: rng.chance(0.5),
      keepSession: rng.chance(0.2)
    }),
    decode: buf => SearchResponse.decode(buf),
    code: (a: SearchResponse) => a.error,
    probe: ctx => SearchRequest.encode({ version: WIRE_VERSION, words: [ctx.sharedKeyword], limit: 10, wantServers: true }),
    // the virtual server holds the member's file; the bootstrap answers (its central index has none of it)
    healthy: (a: SearchResponse, ctx) => a.error === 'NONE' && (where === 'bootstrap' || a.hits.some(h => h.entry?.cid === ctx.sharedCid))
  })),
  {
    kind: 'stream',
    name: 'transfer@member',
    protocol: PROTOCOL_TRANSFER,
    at: ctx => ctx.memberAddr,
    maxRequestBytes: MAX_TRANSFER_REQUEST_BYTES,
    valid: (rng, ctx) => TransferRequest.encode({
      version: version(rng),
      cid: rng.chance(0.8) ? ctx.sharedCid : fakeCid(rng),
      kind: pickEnum(rng, TransferRequest.Kind),
      pieces: Array.from({ length: rng.int(4) }, () => rng.pick([0, 1, rng.int(100), 0xffffffff]))
    }),
    decode: buf => TransferResponse.decode(buf),
    code: (a: TransferResponse) => a.error,
    probe: ctx => TransferRequest.encode({ version: WIRE_VERSION, cid: ctx.sharedCid, kind: TransferRequest.Kind.MANIFEST, pieces: [] }),
    healthy: (a: TransferResponse) => a.error === 'NONE' && a.manifest.byteLength > 0
  },
  {
    kind: 'stream',
    name: 'work@bootstrap',
    protocol: PROTOCOL_WORK,
    at: ctx => ctx.bootstrapAddr,
    maxRequestBytes: MAX_WORK_REQUEST_BYTES,
    valid: rng => WorkRequest.encode({
      version: version(rng),
      kind: pickEnum(rng, WorkRequest.Kind),
      host: { cpuModel: rng.word(), cores: rng.range(0, 64), cpuMhz: rng.int(5000), os: rng.word(), memoryMb: rng.int(1 << 20), freeDiskMb: rng.int(1 << 20), network: rng.word(), bandwidthBps: rng.int(1e9) },
      cpus: rng.range(0, 64),
      maxMemoryMb: rng.int(1 << 16),
      apps: Array.from({ length: rng.int(3) }, () => rng.word()),
      maxUnits: rng.pick([0, 1, 64, 0xffffffff]),
      results: Array.from({ length: rng.int(3) }, () => ({
        replicaId: rng.pick([0, rng.int(1000), Number.MAX_SAFE_INTEGER]),
        outcome: pickEnum(rng, ReplicaResult.Outcome),
        outputHash: rng.bytes(rng.pick([0, 32, 64])),
        outputBytes: rng.int(1e6),
        wallMs: rng.int(1e5),
        error: rng.chance(0.5) ? '' : rng.word()
      }))
    }),
    decode: buf => WorkResponse.decode(buf),
    code: (a: WorkResponse) => a.error,
    // a FETCH from a peer that never said HELLO
    probe: () => WorkRequest.encode({ version: WIRE_VERSION, kind: WorkRequest.Kind.FETCH, cpus: 1, maxMemoryMb: 64, apps: [], maxUnits: 1, results: [] }),
    healthy: (a: WorkResponse) => a.error === 'NOT_REGISTERED'
  },
  {
    kind: 'stream',
    name: 'jobs@bootstrap',
    protocol: PROTOCOL_JOBS,
    at: ctx => ctx.bootstrapAddr,
    maxRequestBytes: MAX_JOBS_REQUEST_BYTES,
    valid: (rng, ctx) => JobsRequest.encode({
      version: version(rng),
      kind: pickEnum(rng, JobsRequest.Kind),
      body: rng.chance(0.5)
        ? new TextEncoder().encode(JSON.stringify({ app: ctx.sharedCid, units: rng.int(4), args: [rng.word()], inputs: [], deadlineMs: rng.int(1e5) }))
        : rng.bytes(rng.int(64)),
      jobId: rng.chance(0.5) ? '' : rng.word(1, 40),
      user: rng.word(),
      email: `${rng.word()}@example.org`,
      peer: fakePeerId(rng, ctx),
      ban: rng.chance(0.5)
    }),
    decode: buf => JobsResponse.decode(buf),
    code: (a: JobsResponse) => a.error,
    probe: () => JobsRequest.encode({ version: WIRE_VERSION, kind: JobsRequest.Kind.STATUS, jobId: 'no-such-job' }),
    healthy: (a: JobsResponse) => a.error === 'NOT_FOUND'
  },
  {
    kind: 'stream',
    name: 'unit-output@member',
    protocol: PROTOCOL_UNIT_OUTPUT,
    at: ctx => ctx.memberAddr,
    maxRequestBytes: MAX_OUTPUT_MESSAGE_BYTES,
    valid: rng => OutputRequest.encode({
      version: version(rng),
      kind: pickEnum(rng, OutputRequest.Kind),
      output: rng.chance(0.5)
        ? { jobId: rng.word(), unitIndex: rng.int(10), replicaId: rng.int(1000), outputHash: rng.bytes(32), stdout: rng.bytes(rng.int(256)), files: Array.from({ length: rng.int(3) }, () => ({ name: rng.word(), data: rng.bytes(rng.int(64)) })) }
        : undefined,
      replicaId: rng.int(1000),
      jobId: rng.word(),
      unitIndex: rng.int(10),
      outputHash: rng.bytes(rng.pick([0, 32]))
    }),
    decode: buf => OutputResponse.decode(buf),
    code: (a: OutputResponse) => a.error,
    probe: () => OutputRequest.encode({ version: WIRE_VERSION, kind: OutputRequest.Kind.FETCH, replicaId: 1, jobId: 'no-such-job', unitIndex: 0, outputHash: new Uint8Array(32) }),
    healthy: (a: OutputResponse) => a.error === 'NOT_FOUND' || a.error === 'FORBIDDEN'
  },
  {
    kind: 'stream',
    name: 'filter@bootstrap',
    protocol: PROTOCOL_FILTER,
    at: ctx => ctx.bootstrapAddr,
    maxRequestBytes: MAX_FILTER_MESSAGE_BYTES,
    valid: rng => keywordFilterOf(rng),
    decode: buf => FilterAck.decode(buf),
    code: (a: FilterAck) => a.error,
    probe: () => KeywordFilterMessage.encode({ version: 1, seq: 1, issuedAt: 1, hashes: 3, bits: new Uint8Array(64), elements: 0 }),
    // the prober may be its subnet's virtual server (NONE) or not (NOT_A_SERVER): either way the bootstrap read and judged it
    healthy: (a: FilterAck) => a.error === 'NONE' || a.error === 'NOT_A_SERVER' || a.error === 'RATE_LIMITED'
  },
  {
    kind: 'stream',
    name: 'filter-relay@virtual-server',
    protocol: PROTOCOL_FILTER_RELAY,
    at: ctx => ctx.virtualServerAddr,
    maxRequestBytes: MAX_FILTER_RELAY_BYTES,
    valid: (rng, ctx) => FilterRelay.encode({
      version: version(rng),
      filters: Array.from({ length: rng.int(4) }, () => ({ publisher: fakePeerId(rng, ctx), filter: rng.chance(0.7) ? keywordFilterOf(rng) : rng.bytes(rng.int(128)) }))
    }),
    decode: buf => FilterAck.decode(buf),
    code: (a: FilterAck) => a.error,
    probe: () => FilterRelay.encode({ version: WIRE_VERSION, filters: [] }),
    // only its bootstrap may relay filters to it
    healthy: (a: FilterAck) => a.error === 'NOT_THE_BOOTSTRAP'
  },
  {
    kind: 'stream',
    name: 'kad@bootstrap',
    protocol: DHT_PROTOCOL,
    at: ctx => ctx.bootstrapAddr,
    maxRequestBytes: 4 * 1024 * 1024,
    // PUT_VALUE..PING, on keys in and out of the peerhive namespaces
    valid: rng => kadMessage(rng.int(6), rng.chance(0.5) ? new TextEncoder().encode(`/${rng.pick(['pk', 'peerhive-kw', 'peerhive'])}/${rng.word()}`) : rng.bytes(rng.range(1, 64))),
    ...rawAnswer,
    probe: () => kadMessage(5, new Uint8Array(0)),
    healthy: (a: Uint8Array) => a.byteLength > 0
  },
  {
    kind: 'topic',
    name: 'assignments-topic',
    topic: ctx => assignmentTopic(ctx.victimSubnet),
    maxRequestBytes: MAX_TABLE_BYTES,
    valid: (rng, ctx) => SubnetTable.encode(tableOf(rng, ctx))
  },
  {
    kind: 'topic',
    name: 'directory-topic',
    topic: () => DIRECTORY_TOPIC,
    maxRequestBytes: MAX_TABLE_BYTES,
    valid: (rng, ctx) => Directory.encode({
      version: version(rng),
      seq: rng.pick([rng.int(1000), Number.MAX_SAFE_INTEGER]),
      issuedAt: Date.now(),
      servers: Array.from({ length: rng.int(4) }, () => ({ peerId: fakePeerId(rng, ctx), addrs: [`/ip4/127.0.0.1/tcp/${rng.range(1, 65535)}`], subnet: rng.chance(0.5) ? ctx.victimSubnet : `127.0.${rng.int(256)}.0/24` }))
    })
  }
]
